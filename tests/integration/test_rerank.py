"""The reranker with a tiny real model: a 1-layer cross-encoder cut from the packaged MiniLM and trained for a
few steps in this session; the ONNX round trip; loading a Hugging Face checkpoint; the tune command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rightfit.core.errors import ModelIntegrityError
from rightfit.models.catalog import MINILM_TOKENIZER, verified_path
from rightfit.retrieval.rerank import MANIFEST, CrossEncoderReranker
from rightfit.types import Chunk, Hit
from tests.conftest import EXE

torch = pytest.importorskip("torch", reason="the reranker's training path needs the `tune` extra")

pytestmark = pytest.mark.integration

FACTS = [
    ("how much cash can I take out of an ATM each day", "You can withdraw up to £500 per day from ATMs."),
    ("what is the limit for contactless payments", "The contactless limit is £100 per payment."),
    ("what does the premier account cost per month", "The Premier account costs £15 per month."),
    ("how long do you take to answer a complaint", "We reply to complaints within 8 weeks."),
    ("when are your branches open", "Branches open 9am to 5pm on weekdays."),
    ("how long does a cheque take to clear", "Cheques clear within 2 working days."),
]


def pairs_tensor(pairs: list[tuple[str, str]]) -> dict[str, object]:
    from tokenizers import Tokenizer

    from rightfit.retrieval.rerank.training.train import encode

    return encode(Tokenizer.from_file(str(verified_path(MINILM_TOKENIZER))), pairs, 128)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A 1-layer cross-encoder trained on six facts, as a torch model, an HF directory and two ONNX exports."""
    from tokenizers import Tokenizer

    from rightfit.retrieval.rerank.training.bert import load_cross_encoder, save_cross_encoder
    from rightfit.retrieval.rerank.training.export import export_onnx
    from rightfit.retrieval.rerank.training.mining import TrainingGroup
    from rightfit.retrieval.rerank.training.train import TrainConfig, train
    from rightfit.retrieval.rerank.training.tune import BASE_CONFIG

    base = tmp_path_factory.mktemp("tiny-reranker")
    tok = verified_path(MINILM_TOKENIZER)
    model = load_cross_encoder(verified_path(BASE_CONFIG).parent, layers=1)
    groups = [TrainingGroup(question=q, chunk_id=str(i), doc_id=str(i), rank=1,
                            passages=(p, *[o for j, (_, o) in enumerate(FACTS) if j != i]))
              for i, (q, p) in enumerate(FACTS)]
    train(model, Tokenizer.from_file(str(tok)), groups,
          TrainConfig(epochs=30, groups_per_batch=3, lr=1e-3, warmup=0.1, max_length=128))
    save_cross_encoder(model, base / "hf", [tok])
    return {"model": model, "hf": base / "hf",
            "int8": export_onnx(model, base / "int8", tokenizer=tok, max_length=128).directory,
            "fp32": export_onnx(model, base / "fp32", tokenizer=tok, max_length=128, quantize=False).directory}


def torch_scores(model: object, query: str, passages: list[str]) -> np.ndarray:
    with torch.no_grad():
        return model(**pairs_tensor([(query, p) for p in passages]))[:, 0].numpy()  # type: ignore[operator]


def as_hits(passages: list[str]) -> list[Hit]:
    return [Hit(row=i, chunk_id=f"c{i}", score=1.0 - i / 10, retriever="rrf",
                chunk=Chunk(chunk_id=f"c{i}", doc_id=f"d{i}", title="", section=(), text=p, start=0, end=len(p)))
            for i, p in enumerate(passages)]


@pytest.fixture
def one_thread():  # noqa: ANN201
    """One intra-op thread, so both runs add up in the same order: the test failed once in a full run on a busy
    machine and never alone, the likely cause a last-bit difference from threaded sums that eight Adam steps
    grow past the comparison's 1e-6."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.usefixtures("one_thread")
def test_training_interrupted_mid_way_resumes_to_the_same_model(tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    from rightfit.retrieval.rerank.training.bert import load_cross_encoder
    from rightfit.retrieval.rerank.training.mining import TrainingGroup
    from rightfit.retrieval.rerank.training.train import TrainConfig, train
    from rightfit.retrieval.rerank.training.tune import BASE_CONFIG

    tok = Tokenizer.from_file(str(verified_path(MINILM_TOKENIZER)))
    groups = [TrainingGroup(question=q, chunk_id=str(i), doc_id=str(i), rank=1,
                            passages=(p, *[o for j, (_, o) in enumerate(FACTS) if j != i][:2]))
              for i, (q, p) in enumerate(FACTS)]
    cfg = TrainConfig(epochs=4, groups_per_batch=3, lr=1e-3, warmup=0.1, max_length=64, checkpoint_every=2)

    def fresh() -> object:
        return load_cross_encoder(verified_path(BASE_CONFIG).parent, layers=1)

    whole = fresh()
    train(whole, tok, groups, cfg)  # type: ignore[arg-type]

    class Interrupted(Exception):
        pass

    def stop_at_5(step: int, _total: int) -> None:
        if step == 5:
            raise Interrupted

    ckpt = tmp_path / "train.ckpt"
    with pytest.raises(Interrupted):
        train(fresh(), tok, groups, cfg, checkpoint=ckpt, progress=stop_at_5)  # type: ignore[arg-type]
    steps: list[int] = []
    resumed = fresh()
    report = train(resumed, tok, groups, cfg, checkpoint=ckpt,  # type: ignore[arg-type]
                   progress=lambda step, _total: steps.append(step))
    assert steps[0] == 5 and report.steps == 8  # picked up after the checkpoint at step 4
    for name, value in whole.state_dict().items():  # type: ignore[attr-defined]
        assert torch.allclose(value, resumed.state_dict()[name], atol=1e-6), name


def test_the_teacher_temperature_softens_its_targets_and_certain_labels_stay_finite() -> None:
    import torch

    from rightfit.retrieval.rerank.training.train import teacher_distribution

    p_yes = torch.tensor([[0.9, 0.5, 0.1], [1.0, 0.0, 0.0]])
    sharp, soft = teacher_distribution(p_yes, 1.0), teacher_distribution(p_yes, 3.0)
    assert torch.isfinite(sharp).all() and torch.allclose(sharp.sum(dim=-1), torch.ones(2))
    assert float(soft[0, 0]) < float(sharp[0, 0]) and float(soft[0, 2]) > float(sharp[0, 2])
    assert int(sharp[0].argmax()) == int(soft[0].argmax()) == 0  # the order is the teacher's at any temperature


def test_distillation_follows_the_teacher_over_the_hard_labels() -> None:
    """A teacher that says each question is answered by the next fact's passage (a negative in its group): with
    the loss on the teacher's labels alone, the model ranks the teacher's passage first, not the source."""
    from tokenizers import Tokenizer

    from rightfit.retrieval.rerank.training.bert import load_cross_encoder
    from rightfit.retrieval.rerank.training.mining import TrainingGroup
    from rightfit.retrieval.rerank.training.train import TrainConfig, train
    from rightfit.retrieval.rerank.training.tune import BASE_CONFIG

    tok = Tokenizer.from_file(str(verified_path(MINILM_TOKENIZER)))
    passages = [p for _, p in FACTS]
    groups = [TrainingGroup(question=q, chunk_id=str(i), doc_id=str(i), rank=1,
                            passages=(p, *[o for j, o in enumerate(passages) if j != i]))
              for i, (q, p) in enumerate(FACTS)]
    teacher = [tuple(0.95 if p == passages[(i + 1) % len(FACTS)] else 0.05 for p in g.passages)
               for i, g in enumerate(groups)]
    cfg = TrainConfig(epochs=30, groups_per_batch=3, lr=1e-3, warmup=0.1, max_length=128, distill=1.0)
    with pytest.raises(ValueError, match="teacher"):
        train(load_cross_encoder(verified_path(BASE_CONFIG).parent, layers=1), tok, groups, cfg)
    model = load_cross_encoder(verified_path(BASE_CONFIG).parent, layers=1)
    train(model, tok, groups, cfg, teacher=teacher)
    firsts = [int(np.argmax(torch_scores(model, q, passages))) for q, _ in FACTS]
    assert sum(f == (i + 1) % len(FACTS) for i, f in enumerate(firsts)) >= 4  # chance: one in six
    assert sum(f == i for i, f in enumerate(firsts)) <= 1


def test_trained_tiny_reranker_puts_the_answer_first(tiny: dict[str, object]) -> None:
    stage = CrossEncoderReranker(model=tiny["int8"])  # type: ignore[arg-type]
    passages = [p for _, p in FACTS]
    firsts = [stage.run(query=q, hits=as_hits(passages[::-1])).hits[0].chunk.text for q, _ in FACTS]  # type: ignore[union-attr]
    # Chance is one in six; a few steps on a one-layer model get most of them.
    assert sum(f == p for f, (_, p) in zip(firsts, FACTS, strict=True)) >= 4


def test_onnx_export_scores_like_the_torch_model(tiny: dict[str, object]) -> None:
    passages = [p for _, p in FACTS] + ["An unrelated sentence about the weather in spring."]
    for q, _ in FACTS[:3]:
        ref = torch_scores(tiny["model"], q, passages)
        fp32 = CrossEncoderReranker(model=tiny["fp32"], max_length=128).score(q, passages)  # type: ignore[arg-type]
        int8 = CrossEncoderReranker(model=tiny["int8"], max_length=128).score(q, passages)  # type: ignore[arg-type]
        np.testing.assert_allclose(fp32, ref, atol=1e-4)
        spread = float(ref.max() - ref.min())
        assert np.abs(int8 - ref).max() < 0.1 * spread  # int8 moves scores a little, not the ranking's top
        assert int(np.argmax(int8)) == int(np.argmax(ref))


def test_a_hugging_face_checkpoint_loads_after_pinning(tiny: dict[str, object], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    hf = shutil.copytree(tiny["hf"], tmp_path / "my-cross-encoder")  # type: ignore[arg-type]
    r = subprocess.run([EXE, "tune", "pin", str(hf), "--fused-weight", "0.3"], capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    passages = [p for _, p in FACTS]
    stage = CrossEncoderReranker(model=hf, max_length=128)
    got = stage.score(FACTS[0][0], passages)
    assert stage.fused_weight == 0.3  # from the pinned directory's manifest, not the converted copy's
    ref = torch_scores(tiny["model"], FACTS[0][0], passages)
    # Converted to int8 like our own exports: close to the checkpoint's scores, same ranking at the top.
    assert np.abs(got - ref).max() < 0.1 * float(ref.max() - ref.min())
    assert int(np.argmax(got)) == int(np.argmax(ref))
    assert (tmp_path / "cache" / "rightfit" / "rerankers").is_dir()  # converted once, cached by weight hash


def test_a_hugging_face_repository_with_an_onnx_export_is_served_without_conversion(
        tiny: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = shutil.copytree(tiny["hf"], tmp_path / "hub-download")  # type: ignore[arg-type]
    (repo / "onnx").mkdir()
    shutil.copy(tiny["fp32"] / "model.onnx", repo / "onnx" / "model.onnx")  # type: ignore[operator]
    r = subprocess.run([EXE, "tune", "pin", str(repo)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    passages = [p for _, p in FACTS]
    stage = CrossEncoderReranker(model=repo, max_length=128)
    got = stage.score(FACTS[0][0], passages)
    assert stage.files is not None and stage.files.model_file == repo / "onnx" / "model.onnx"
    np.testing.assert_allclose(got, torch_scores(tiny["model"], FACTS[0][0], passages), atol=1e-4)
    assert not (tmp_path / "cache" / "rightfit" / "rerankers").exists()  # the checkpoint was not converted


def test_a_changed_model_file_is_refused(tiny: dict[str, object], tmp_path: Path) -> None:
    d = shutil.copytree(tiny["int8"], tmp_path / "rr")  # type: ignore[arg-type]
    with (d / "model.onnx").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="hash mismatch.*model.onnx"):
        CrossEncoderReranker(model=d).warm_up()
    (d / "model.onnx").unlink()
    with pytest.raises(Exception, match=r"neither model.onnx \(or onnx/model.onnx\) nor config.json"):
        CrossEncoderReranker(model=d).warm_up()


def indexed_chunks(corpus: Path, data: Path) -> list[Chunk]:
    """`rightfit index` the corpus into `data`; its chunks in row order."""
    from rightfit.retrieval.stores.embedded import EmbeddedStore

    r = subprocess.run([EXE, "index", str(corpus), "--data-dir", str(data)], capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    store = EmbeddedStore.open(data)
    try:
        return store.chunks(list(range(len(store))))
    finally:
        store.close()


def test_cli_tunes_a_reranker_and_evaluates_with_it(mini_corpus: Path, tmp_path: Path) -> None:
    """The whole command on a tiny corpus, with questions from a file instead of a generative model."""
    from rightfit.retrieval.rerank.training.questions import SyntheticQuery, chunk_hash, write_queries

    data = tmp_path / "data"
    chunks = indexed_chunks(mini_corpus, data)
    questions = {"cards": "daily cash machine withdrawal limit", "fees": "premier monthly charge",
                 "complaints": "complaint reply time", "faq-1": "branch opening times"}
    queries = [SyntheticQuery(q, c.chunk_id, c.doc_id, chunk_hash(c)) for c in chunks
               for d, q in questions.items() if c.doc_id == d]
    write_queries(tmp_path / "q.jsonl", queries, header={"generator": "hand-written for this test"})
    out = tmp_path / "reranker"
    args = [EXE, "tune", "reranker", "--data-dir", str(data), "--queries", str(tmp_path / "q.jsonl"),
            "--out", str(out), "--layers", "1", "--epochs", "1", "--dev-share", "0.5", "--json"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["groups"] >= 1
    manifest = json.loads((out / MANIFEST).read_text())
    prov = manifest["provenance"]
    assert prov["base_model"]["sha256"] and prov["data"]["groups_sha256"] and prov["hyperparameters"]["epochs"] == 1
    # The blend weight was chosen on the held-out dev questions and is what the stage serves with.
    assert report["blend_mrr"]["questions"] >= 1
    assert manifest["fused_weight"] == report["fused_weight"]
    assert report["blend_mrr"]["served"] >= report["blend_mrr"]["hybrid"]
    served = CrossEncoderReranker(model=out)
    served.warm_up()
    assert served.fused_weight == report["fused_weight"]
    # A second run resumes: every phase is already done for the same inputs.
    r2 = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert r2.returncode == 0 and json.loads(r2.stdout)["train_seconds"] == report["train_seconds"]

    beir = tmp_path / "beir"
    beir.mkdir()
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": d, "title": d, "text": t}) + "\n" for d, t in [
        ("atm", "You can withdraw up to £500 per day from ATMs."), ("fees", "Premier costs £15 per month.")]))
    (beir / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "cash machine limit"}) + "\n")
    (beir / "qrels").mkdir()
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tatm\t1\n")
    r = subprocess.run([EXE, "eval", "retrieval", "--beir", str(beir), "--data-dir", str(tmp_path / "beir-data"),
                        "--rerank", "--rerank-model", str(out)], capture_output=True, text=True, timeout=300,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "rrf+rerank" in r.stdout


def test_cli_tunes_with_a_teacher_model_and_reuses_its_labels(mini_corpus: Path, tmp_path: Path) -> None:
    """`--teacher` with the smallest packaged model: every training pair gets a label, the manifest says who
    taught it, and a second run with other settings asks the model nothing new."""
    from rightfit.retrieval.rerank.training.questions import SyntheticQuery, chunk_hash, write_queries

    data = tmp_path / "data"
    chunks = indexed_chunks(mini_corpus, data)
    questions = {"cards": "daily cash machine withdrawal limit", "fees": "premier monthly charge"}
    first = {d: next(c for c in chunks if c.doc_id == d) for d in questions}  # distinct questions: distinct pairs
    queries = [SyntheticQuery(q, first[d].chunk_id, d, chunk_hash(first[d])) for d, q in questions.items()]
    write_queries(tmp_path / "q.jsonl", queries, header={"generator": "hand-written for this test"})
    labels = tmp_path / "teacher.jsonl"
    args = [EXE, "tune", "reranker", "--data-dir", str(data), "--queries", str(tmp_path / "q.jsonl"),
            "--layers", "1", "--epochs", "1", "--dev-share", "0.05", "--teacher", "smollm2-135m",
            "--teacher-labels", str(labels), "--json"]
    r = subprocess.run([*args, "--out", str(tmp_path / "a")], capture_output=True, text=True, timeout=600,
                       check=False)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    group_size = len(json.loads((tmp_path / "a.work" / "groups.jsonl").read_text().splitlines()[0])["passages"])
    assert len(rows) == report["groups"] * group_size and all(0.0 <= row["p_yes"] <= 1.0 for row in rows)
    hyper = json.loads((tmp_path / "a" / MANIFEST).read_text())["provenance"]["hyperparameters"]
    assert hyper["distill"] == 1.0 and hyper["teacher"] == "smollm2-135m" and "smollm2-135m" in hyper["loss"]
    r = subprocess.run([*args, "--distill", "0.8", "--teacher-temperature", "2", "--out", str(tmp_path / "b")],
                       capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    assert len(labels.read_text().splitlines()) == len(rows)
    hyper = json.loads((tmp_path / "b" / MANIFEST).read_text())["provenance"]["hyperparameters"]
    assert hyper["distill"] == 0.8 and hyper["teacher_temperature"] == 2.0
    # Labels only, from a file that has none: the model is never run and every group trains on its hard label.
    empty = tmp_path / "none.jsonl"
    r = subprocess.run([*args[:-3], "--teacher-labels", str(empty), "--teacher-labels-only", "--json", "--out",
                        str(tmp_path / "c")], capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    assert "have no teacher labels" in r.stderr and not empty.exists()
    data = json.loads((tmp_path / "c" / MANIFEST).read_text())["provenance"]["data"]
    assert data["groups_without_teacher_labels"] == json.loads(r.stdout)["groups"]


def test_cli_tune_without_an_index_or_with_a_broken_reranker_fails_clearly(tmp_path: Path) -> None:
    r = subprocess.run([EXE, "tune", "reranker", "--data-dir", str(tmp_path / "empty"), "--out",
                        str(tmp_path / "o"), "--queries", str(tmp_path / "q.jsonl")],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "no index" in r.stderr
    r = subprocess.run([EXE, "tune", "pin", str(tmp_path / "nothing")], capture_output=True, text=True, timeout=60,
                       check=False)
    assert r.returncode == 2 and "not a directory" in r.stderr


def test_the_blend_weight_chosen_on_labelled_questions_follows_a_reranker_that_helps(
        tiny: dict[str, object], tmp_path: Path) -> None:
    """Retrieval that ranks every answer last: the labelled questions pick a weight that lets the reranker
    reorder, and that weight's MRR is what the scan reports for it."""
    from rightfit.retrieval.rerank.training.tune import choose_blend
    from rightfit.types import RetrievalResult

    passages = [p for _, p in FACTS]

    def retrieve(question: str) -> RetrievalResult:
        answer = passages[[q for q, _ in FACTS].index(question)]
        ordered = [p for p in passages if p != answer] + [answer]
        return RetrievalResult(hits=tuple(as_hits(ordered)), stage="rrf")

    model = shutil.copytree(tiny["int8"], tmp_path / "rr")  # type: ignore[arg-type]
    gold = [frozenset({f"d{len(FACTS) - 1}"})] * len(FACTS)  # the answer is always the last hit, doc d5
    choice = choose_blend(model, [q for q, _ in FACTS], gold, by="doc", retrieve=retrieve, rows=[], top_n=30)
    assert choice.questions == len(FACTS)
    assert choice.hybrid_mrr == pytest.approx(1 / len(FACTS))
    assert choice.fused_weight < 1.0 and choice.mrr[choice.fused_weight] > choice.hybrid_mrr + 0.3


def test_cli_blend_writes_the_weight_into_the_manifest_and_keeps_the_pins(
        tiny: dict[str, object], mini_corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = subprocess.run([EXE, "index", str(mini_corpus), "--data-dir", str(data)], capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    model = shutil.copytree(tiny["int8"], tmp_path / "rr")  # type: ignore[arg-type]
    before = json.loads((model / MANIFEST).read_text())
    qa = tmp_path / "dev.jsonl"
    rows = [("how much cash can I take out of an ATM each day", "£500", ["cards"]),
            ("what does the premier account cost per month", "£15", ["fees"]),
            ("how long do you take to answer a complaint", "8 weeks", ["complaints"]),
            ("do you lend money for boats", None, ["fees"])]  # unanswerable: left out
    few = "".join(json.dumps({"id": str(i), "question": q, "answer": a, "doc_ids": d}) + "\n"
                  for i, (q, a, d) in enumerate(rows))
    # Ten answerable questions at least, so the choice can be cross-validated before it is written.
    enough = "".join(json.dumps({"id": f"{i}-{n}", "question": f"{q} ({n})" if n else q, "answer": a,
                                 "doc_ids": d}) + "\n" for n in range(4) for i, (q, a, d) in enumerate(rows))
    qa.write_text(enough)
    args = [EXE, "tune", "blend", str(model), "--qa", str(qa), "--data-dir", str(data), "--json"]
    r = subprocess.run([*args, "--dry-run"], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["written"] is False and json.loads(r.stdout)["max_length"] is None
    assert json.loads((model / MANIFEST).read_text()) == before
    # Served at a shorter length ([rerank] max_length), the weight is chosen at that length.
    r = subprocess.run([*args, "--dry-run"], capture_output=True, text=True, timeout=300, check=False,
                       env={**os.environ, "RIGHTFIT_RERANK__MAX_LENGTH": "32"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["max_length"] == 32
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["questions"] == 12
    after = json.loads((model / MANIFEST).read_text())
    assert after["fused_weight"] == out["fused_weight"] and after["files"] == before["files"]
    assert after["provenance"]["fused_weight_choice"]["qa_sha256"] == out["qa_sha256"]
    stage = CrossEncoderReranker(model=model)
    stage.warm_up()
    assert stage.fused_weight == out["fused_weight"]

    # Three questions are too few to write a weight; doc ids the index does not have are named.
    qa.write_text(few)
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2 and "too few to choose a blend weight" in r.stderr
    qa.write_text(few.replace('"cards"', '"no-such-doc"').replace('"fees"', '"nope"').replace('"complaints"', '"x"'))
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2 and "none of the doc_ids" in r.stderr
    assert json.loads((model / MANIFEST).read_text()) == after
    qa.write_text(enough)
    # A model file changed since it was pinned is refused, not re-pinned with the new weight.
    with (model / "model.onnx").open("ab") as fh:
        fh.write(b"\0")
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "hash mismatch" in r.stderr
    assert json.loads((model / MANIFEST).read_text()) == after
    # Questions without gold documents cannot choose anything.
    qa.write_text(json.dumps({"id": "1", "question": "anything?", "answer": None, "doc_ids": []}) + "\n")
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2 and "no answerable question with doc_ids" in r.stderr
