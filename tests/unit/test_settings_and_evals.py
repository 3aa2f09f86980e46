from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.settings import load_settings
from rightfit.evals.answers import Judged, QAItem, calibrate, contains_answer, load_qa, report
from rightfit.evals.beir import load_beir
from rightfit.types import Answer, Citation


def test_unknown_setting_is_an_error_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "rightfit.toml"
    cfg.write_text("[retrieval]\nfusoin = 'rrf'\n")
    with pytest.raises(ConfigError, match="retrieval.fusoin"):
        load_settings(cfg)


def test_relative_data_dir_is_relative_to_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "rightfit.toml"
    cfg.write_text("data_dir = '.data'\n[answer]\nabstain_threshold = 0.4\n")
    s = load_settings(cfg)
    assert s.data_dir == (tmp_path / ".data").resolve()
    assert s.answer.abstain_threshold == 0.4


def test_environment_overrides_the_config_file_and_flags_override_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "rightfit.toml"
    cfg.write_text("data_dir = '.data'\n[answer]\nabstain_threshold = 0.4\npassages = 4\n")
    monkeypatch.setenv("RIGHTFIT_ANSWER__ABSTAIN_THRESHOLD", "0.9")
    monkeypatch.setenv("RIGHTFIT_DATA_DIR", str(tmp_path / "env-data"))
    s = load_settings(cfg)
    assert s.answer.abstain_threshold == 0.9  # the variable, not the file
    assert s.answer.passages == 4  # the rest of the file's table stays
    assert s.data_dir == tmp_path / "env-data"
    assert load_settings(cfg, data_dir=tmp_path / "flag").data_dir == tmp_path / "flag"
    monkeypatch.setenv("RIGHTFIT_ANSWER__PASSAGES", "many")
    with pytest.raises(ConfigError, match="RIGHTFIT_ANSWER__PASSAGES.*answer.passages"):
        load_settings(cfg)
    monkeypatch.delenv("RIGHTFIT_ANSWER__PASSAGES")
    monkeypatch.setenv("RIGHTFIT_RETRIEVAL", '{"top_k":')  # a whole table, cut short: no traceback
    with pytest.raises(ConfigError, match="retrieval.*takes JSON"):
        load_settings(cfg)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cfg)


@pytest.mark.parametrize(("pred", "gold", "ok"), [
    ("You can take out up to £1,000 per day.", "£1000", True),
    ("The fee is 2.75% of the amount.", "2.75%", True),
    ("Within 8 weeks.", "8 weeks", True),
    ("Within 18 weeks.", "8 weeks", False),
    (None, "£500", False),
])
def test_contained_answer_match(pred: str | None, gold: str, ok: bool) -> None:
    assert contains_answer(pred, gold) is ok


def _judged(conf: float, answerable: bool, text: str = "It is £5.") -> Judged:
    item = QAItem(qid=str(conf), question="q", answer="£5" if answerable else None, doc_ids=("d",))
    return Judged(item, Answer(question="q", text=text, abstained=False, confidence=conf), 0.01)


def test_calibration_meets_the_abstention_target() -> None:
    judged = [_judged(c / 10, False) for c in range(10)] + [_judged(0.95, True)]
    t = calibrate(judged, target_abstention=0.9)
    r = report(judged, t, "x")
    assert r.abstention_recall >= 0.9
    assert r.accuracy == 1.0


def test_qa_file_errors_name_the_line(tmp_path: Path) -> None:
    f = tmp_path / "qa.jsonl"
    f.write_text('{"id": "1", "question": "q", "answer": null, "doc_ids": []}\n{"answer": "x"}\n')
    with pytest.raises(InvalidInputError, match="line 2"):
        load_qa(f)


def test_beir_loader_reads_the_layout(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text('{"_id": "d1", "title": "", "text": "x"}\n')
    (tmp_path / "queries.jsonl").write_text('{"_id": "q1", "text": "x?"}\n{"_id": "q2", "text": "unjudged"}\n')
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    data = load_beir(tmp_path)
    assert data.queries == {"q1": "x?"}
    assert data.qrels == {"q1": {"d1": 1}}
    (tmp_path / "queries.jsonl").unlink()
    with pytest.raises(InvalidInputError, match="queries.jsonl is missing"):
        load_beir(tmp_path)


def test_answer_report_scores_citations_and_unsupported_figures() -> None:
    def cited(*docs: str) -> tuple[Citation, ...]:
        return tuple(Citation(doc_id=d, chunk_id=f"{d}#0", title=d, section="", start=0, end=1, quote="x")
                     for d in docs)

    two_gold = QAItem(qid="1", question="q1", answer="£5", doc_ids=("a", "b"))
    one_gold = QAItem(qid="2", question="q2", answer="£5", doc_ids=("c",))
    unanswerable = QAItem(qid="3", question="q3", answer=None, doc_ids=())
    judged = [
        Judged(two_gold, Answer(question="q1", text="It is £5.", abstained=False, confidence=0.9,
                                citations=cited("a")), 0.01),
        Judged(one_gold, Answer(question="q2", text="It is £5, or £7 abroad.", abstained=False, confidence=0.9,
                                citations=cited("c", "x")), 0.01),
        Judged(unanswerable, Answer(question="q3", text=None, abstained=True, confidence=0.1), 0.01),
    ]
    docs = {"a": "The fee is £5.", "b": "Other.", "c": "The fee is £5."}
    r = report(judged, 0.5, "x", doc_text=docs.__getitem__)
    assert r.citation_precision == pytest.approx((1 + 1 / 2) / 2)  # "x" is not a gold document
    assert r.citation_recall == pytest.approx((1 / 2 + 1) / 2)  # "b" was never cited
    assert r.citation_hit == 1.0
    assert r.hallucination == pytest.approx(1 / 2)  # £7 is in no gold document
    assert (r.answered_unanswerable, r.outside_gold) == (0, 1)
    assert "outside the gold documents  0 / 1" in r.table()
    assert r.abstention_recall == 1.0 and r.accuracy == 1.0
    assert "citation recall" in r.table()


def test_hallucination_by_gold_counts_invented_names_and_verifier_refusals() -> None:
    item = QAItem(qid="1", question="q1", answer="£5", doc_ids=("a",))
    docs = {"a": "The Everyday account fee is £5."}
    named = Answer(question="q1", text="The Platinum Plus fee is £5.", abstained=False, confidence=0.9)
    own = Answer(question="q1", text="The Everyday account fee is £5.", abstained=False, confidence=0.9)
    refused = Answer(question="q1", text=None, abstained=True, confidence=0.0, rejected=True)
    r = report([Judged(item, named, 0.01), Judged(item, own, 0.01), Judged(item, refused, 0.01)], None, "x",
               doc_text=docs.__getitem__)
    assert r.hallucination == pytest.approx(1 / 2)  # "Platinum Plus" is in no gold document
    assert r.verifier_rejected == pytest.approx(1 / 3)
    assert report([Judged(item, named, 0.01)], None, "x", doc_text=docs.__getitem__,
                  known=("Platinum Plus",)).hallucination == 0.0
    # An answer to a question the documents do not answer counts, whatever it says.
    nothing = QAItem(qid="2", question="q2", answer=None, doc_ids=())
    r = report([Judged(item, own, 0.01), Judged(nothing, own, 0.01)], None, "x", doc_text=docs.__getitem__)
    assert r.hallucination == pytest.approx(1 / 2)
    assert (r.answered_unanswerable, r.outside_gold) == (1, 0)
