"""BANKING77: 5-fold cross-validated intent accuracy of the intent classifier (MiniLM + character n-grams, one
logistic regression), the embedding alone, and TF-IDF + linear SVM.

All run on the same folds in the same process. Latency is one message at a time, embedding included.
Run: .venv/bin/python benchmarks/intent_cv.py [--csv ../shared/data/banking77/train.csv]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, hardware_line  # noqa: E402
from rightfit.classify.intents import IntentClassifier, intent_features, load_labelled_csv  # noqa: E402
from rightfit.core.runtime import limit_blas_threads  # noqa: E402
from rightfit.evals.classification import cross_validate, time_per_message  # noqa: E402
from rightfit.models.embedding import MiniLMEmbedder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT.parent / "shared" / "data" / "banking77" / "train.csv")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    limit_blas_threads()
    texts, labels = load_labelled_csv(args.csv)
    embedder = MiniLMEmbedder()
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    embed_s = time.perf_counter() - started
    y = np.array(labels)
    tx = np.array(texts, dtype=object)

    features = intent_features(texts, vectors)

    def classifier(train: np.ndarray, test: np.ndarray) -> list[str]:
        clf = IntentClassifier(embedder=embedder).fit_features(features[train], list(y[train]))
        probs = clf.proba_features(features[test])
        return [clf.labels[i] for i in probs.argmax(axis=1)]

    def minilm(train: np.ndarray, test: np.ndarray) -> list[str]:
        # The same head on the embedding alone: what the classifier was before the n-grams.
        model = LogisticRegression(C=10.0, max_iter=2000).fit(vectors[train], y[train])
        return list(model.predict(vectors[test]))

    def tfidf_svm(train: np.ndarray, test: np.ndarray) -> list[str]:
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        model = LinearSVC(C=1.0).fit(vec.fit_transform(tx[train]), y[train])
        return list(model.predict(vec.transform(tx[test])))

    print(hardware_line())
    print(f"{args.csv.name}: {len(texts)} messages, {len(set(labels))} intents, {args.folds}-fold CV "
          f"(MiniLM embedding of all messages: {embed_s:.1f} s)")
    print(f"{'method':<36}{'accuracy':>9}{'fold min':>9}{'fold max':>9}{'macro-F1':>9}{'p50 ms':>8}{'p95 ms':>8}")
    sample = texts[:300]
    # Timed with an embedder that keeps no cache: every message is embedded as a new one would be.
    fresh = MiniLMEmbedder(cache_size=0)
    full = IntentClassifier(embedder=fresh).fit_features(features, labels)
    lat_full = time_per_message(lambda t: full.run(texts=[t]), sample)
    head = LogisticRegression(C=10.0, max_iter=2000).fit(vectors, labels)
    lat_minilm = time_per_message(lambda t: head.predict(fresh.embed([t])), sample)
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    svm = LinearSVC(C=1.0).fit(vec.transform(texts), labels)
    lat_svm = time_per_message(lambda t: svm.predict(vec.transform([t])), sample)
    for name, fn, lat in (("MiniLM + char n-grams (classifier)", classifier, lat_full),
                          ("MiniLM + logistic regression", minilm, lat_minilm),
                          ("TF-IDF + linear SVM", tfidf_svm, lat_svm)):
        report, folds = cross_validate(labels, fn, k=args.folds)
        print(f"{name:<36}{report.accuracy:>9.4f}{min(folds):>9.4f}{max(folds):>9.4f}{report.macro_f1:>9.4f}"
              f"{np.percentile(lat, 50):>8.2f}{np.percentile(lat, 95):>8.2f}", flush=True)


if __name__ == "__main__":
    main()
