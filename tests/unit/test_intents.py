from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rightfit.classify.intents import IntentClassifier, choose_threshold, load_labelled_csv
from rightfit.core.errors import InvalidInputError, ModelIntegrityError
from rightfit.evals.classification import cross_validate, score, stratified_folds
from tests.fakes import HashingEmbedder

TEXTS = {
    "card_lost": ["I lost my card", "my card is lost", "can't find my card anywhere", "lost card help"],
    "balance": ["what is my balance", "how much money do I have", "show my balance please", "balance check"],
    "freeze": ["freeze my card", "please freeze the card", "block my card now", "freeze card"],
}


def _data() -> tuple[list[str], list[str]]:
    texts = [t for ts in TEXTS.values() for t in ts]
    labels = [lab for lab, ts in TEXTS.items() for _ in ts]
    return texts, labels


def test_train_predict_save_load_round_trip(tmp_path: Path) -> None:
    texts, labels = _data()
    clf = IntentClassifier(embedder=HashingEmbedder(), threshold=0.0).fit(texts, labels)
    preds = clf.run(texts=["I lost my card", "what is my balance"])
    assert [p.label for p in preds] == ["card_lost", "balance"]
    assert 0.0 < preds[0].probability <= 1.0 and len(preds[0].top) == 3
    clf.save(tmp_path / "clf")
    again = IntentClassifier.load(tmp_path / "clf", embedder=HashingEmbedder())
    assert [p.label for p in again.run(texts=["freeze my card"])] == ["freeze"]
    weights = tmp_path / "clf" / "weights.npz"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="hash mismatch"):
        IntentClassifier.load(tmp_path / "clf", embedder=HashingEmbedder())


def test_low_confidence_is_out_of_scope() -> None:
    texts, labels = _data()
    clf = IntentClassifier(embedder=HashingEmbedder(), threshold=0.99).fit(texts, labels)
    (p,) = clf.run(texts=["what is the weather on mars"])
    assert p.out_of_scope and p.label == "out_of_scope"


def test_threshold_rejects_at_most_the_allowed_share() -> None:
    probs = np.linspace(0.1, 1.0, 100)
    t = choose_threshold(probs, np.ones(100, bool), max_rejected=0.05)
    assert (probs < t).mean() <= 0.05


def test_csv_formats_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text('text,category\n"hello, there",greet\nbye,leave\n')
    assert load_labelled_csv(f) == (["hello, there", "bye"], ["greet", "leave"])
    f.write_text("sentence,intent\nhi,greet\n")
    with pytest.raises(InvalidInputError, match="text,label"):
        load_labelled_csv(f)
    f.write_bytes(b"text,label\n\xff\xfe,x\n")
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_labelled_csv(f)


def test_folds_are_stratified_and_cv_scores() -> None:
    texts, labels = _data()
    folds = stratified_folds(labels, 2)
    assert sorted(np.concatenate(folds).tolist()) == list(range(len(labels)))
    for fold in folds:
        assert {labels[i] for i in fold} == set(TEXTS)
    report, per_fold = cross_validate(labels, lambda tr, te: [labels[i] for i in te], k=2)
    assert report.accuracy == 1.0 and per_fold == [1.0, 1.0]
    bad = score(["a", "a", "b"], ["a", "b", "b"])
    assert bad.worst_pairs == (("a", "b", 1),)
