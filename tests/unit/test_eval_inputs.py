"""Eval inputs a user gets wrong: each mistake is named with its file and line before any work starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightfit.core.errors import InvalidInputError
from rightfit.evals.answers import load_qa
from rightfit.evals.beir import load_beir
from rightfit.evals.retrieval import EVAL_MARKER, check_eval_data_dir, evaluate_beir, mark_eval_data_dir


def beir_dir(root: Path, *, corpus: str | None = None, qrels: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "corpus.jsonl").write_text(corpus if corpus is not None else
                                       '{"_id": "d1", "title": "", "text": "cats purr"}\n'
                                       '{"_id": "d2", "title": "", "text": "dogs bark"}\n', encoding="utf-8")
    (root / "queries.jsonl").write_text('{"_id": "q1", "text": "who purrs?"}\n{"_id": "q2", "text": "who barks?"}\n',
                                        encoding="utf-8")
    (root / "qrels").mkdir(exist_ok=True)
    (root / "qrels" / "test.tsv").write_text(qrels if qrels is not None else
                                             "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n", encoding="utf-8")
    return root


def fake_index(data_dir: Path, generation: str = "gen-000001") -> Path:
    """What current_generation() recognises as a live index."""
    gen = data_dir / "index" / generation
    gen.mkdir(parents=True)
    (gen / "chunks.sqlite").write_bytes(b"user's index")
    (data_dir / "index" / "CURRENT").write_text(generation)
    return gen / "chunks.sqlite"


# eval retrieval must not replace somebody's index ----------------------------------------------------------------

def test_eval_retrieval_refuses_a_data_dir_holding_another_index_before_any_work(tmp_path: Path) -> None:
    beir = beir_dir(tmp_path / "beir")
    data = tmp_path / "data"
    live = fake_index(data)
    indexed: list[Path] = []
    with pytest.raises(InvalidInputError, match="empty or dedicated --data-dir, or omit --data-dir"):
        evaluate_beir(beir, lambda _d: pytest.fail("served"), indexed.append, data_dir=data)
    assert indexed == []
    assert live.read_bytes() == b"user's index"
    assert not (data / EVAL_MARKER).exists()


def test_eval_retrieval_reuses_its_own_data_dir_but_not_for_another_beir_directory(tmp_path: Path) -> None:
    beir, other = beir_dir(tmp_path / "beir"), beir_dir(tmp_path / "other")
    data = tmp_path / "data"
    check_eval_data_dir(data, beir)  # nothing there yet: fine
    fake_index(data)
    mark_eval_data_dir(data, beir)
    check_eval_data_dir(data, beir)
    with pytest.raises(InvalidInputError, match="another BEIR directory"):
        check_eval_data_dir(data, other)
    # An index rebuilt there by something else (`rightfit index`) is no longer ours.
    fake_index(data, "gen-000002")
    with pytest.raises(InvalidInputError, match="--data-dir"):
        check_eval_data_dir(data, beir)


# BEIR data that would make the metrics wrong -----------------------------------------------------------------------

def test_a_bad_corpus_line_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    beir = beir_dir(tmp_path / "b", corpus='{"_id": "d1", "text": "cats"}\n{"_id": "d2", "text": broken\n')
    with pytest.raises(InvalidInputError, match=r"corpus.jsonl line 2: invalid JSON"):
        load_beir(beir)


def test_a_repeated_corpus_id_is_an_error_naming_the_id_and_both_lines(tmp_path: Path) -> None:
    beir = beir_dir(tmp_path / "b", corpus='{"_id": "d1", "text": "cats"}\n{"_id": "d2", "text": "dogs"}\n'
                                          '{"_id": "d1", "text": "again"}\n')
    with pytest.raises(InvalidInputError, match=r"line 3: document id 'd1' is already used on line 1"):
        load_beir(beir)


def test_a_missing_beir_directory_is_named_as_missing(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"BEIR directory .*nowhere does not exist"):
        load_beir(tmp_path / "nowhere")


@pytest.mark.parametrize("damaged", ["queries.jsonl", "qrels/test.tsv", "corpus.jsonl"])
def test_bytes_that_are_not_utf8_are_an_error_naming_file_and_line(tmp_path: Path, damaged: str) -> None:
    beir = beir_dir(tmp_path / "b")
    with (beir / damaged).open("ab") as fh:
        fh.write(b"\xff\xfe\t\xff\t1\n")
    with pytest.raises(InvalidInputError, match=rf"{Path(damaged).name} line \d: not valid UTF-8"):
        load_beir(beir)


def test_space_separated_qrels_say_tabs_are_required(tmp_path: Path) -> None:
    beir = beir_dir(tmp_path / "b", qrels="query-id corpus-id score\nq1 d1 1\n")
    with pytest.raises(InvalidInputError, match=r"test.tsv line 2: .*tab-separated.*need tabs"):
        load_beir(beir)


def test_judgements_the_data_cannot_honour_are_warned_with_counts_and_ids(tmp_path: Path) -> None:
    qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tgone-1\t1\nq2\tgone-2\t1\nq9\td2\t1\nq8\td2\t1\n"
    beir = beir_dir(tmp_path / "b", qrels=qrels)
    data = load_beir(beir)
    assert data.queries.keys() == {"q1", "q2"}
    unknown_docs = next(w for w in data.warnings if "not in corpus.jsonl" in w)
    assert "2 relevant document id(s)" in unknown_docs and "'gone-1'" in unknown_docs and "'gone-2'" in unknown_docs
    unknown_queries = next(w for w in data.warnings if "not in queries.jsonl" in w)
    assert "2 judged query id(s)" in unknown_queries and "'q9'" in unknown_queries
    # Heard before the (long) indexing starts, and kept for the report.
    heard: list[str] = []

    def index(_corpus: Path) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        evaluate_beir(beir, lambda _d: pytest.fail("served"), index, warn=heard.append)
    assert heard == list(data.warnings)


def test_a_clean_beir_directory_has_no_warnings(tmp_path: Path) -> None:
    assert load_beir(beir_dir(tmp_path / "b")).warnings == ()


# The QA file of eval answers ---------------------------------------------------------------------------------------

def qa_file(tmp_path: Path, *lines: object, raw: bytes = b"") -> Path:
    f = tmp_path / "qa.jsonl"
    f.write_bytes(raw + "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines).encode())
    return f


GOOD = {"id": "a", "question": "What is the ATM limit?", "answer": "£500", "doc_ids": ["atm-and-spending-limits"]}


@pytest.mark.parametrize(("change", "message"), [
    ({"doc_ids": "atm-and-spending-limits"}, r'"doc_ids" must be a list.*\["atm-and-spending-limits"\]'),
    ({"question": 5}, r'"question" must be a string, got 5'),
    ({"question": "  "}, r'"question" is empty'),
    ({"answer": 500}, r'"answer" must be a string or null, got 500; write "answer": "500"'),
    ({"answer": ""}, r'"answer" is empty; .*null'),
    ({"id": True}, r'"id" must be a non-empty string \(or a whole number\), got True'),
    ({"id": "first"}, r"id 'first' is already used on line 1"),
    ({"doc_ids": ["ok", 3]}, r'"doc_ids" must be a list of non-empty strings'),
])
def test_a_wrongly_typed_qa_field_is_named_with_file_and_line(tmp_path: Path, change: dict[str, object],
                                                             message: str) -> None:
    f = qa_file(tmp_path, {**GOOD, "id": "first"}, {**GOOD, **change})
    with pytest.raises(InvalidInputError, match=rf"qa.jsonl line 2: {message}"):
        load_qa(f)


def test_a_whole_number_id_is_read_as_its_digits(tmp_path: Path) -> None:
    items = load_qa(qa_file(tmp_path, {**GOOD, "id": 7}, {**GOOD, "id": "8"}))
    assert [i.qid for i in items] == ["7", "8"]
    with pytest.raises(InvalidInputError, match="id '7' is already used on line 1"):
        load_qa(qa_file(tmp_path, {**GOOD, "id": 7}, {**GOOD, "id": "7"}))


def test_every_qa_problem_is_reported_at_once(tmp_path: Path) -> None:
    f = qa_file(tmp_path, GOOD, {**GOOD, "id": "b", "question": ""}, "not json", {**GOOD, "id": "d", "answer": 1},
                GOOD)
    with pytest.raises(InvalidInputError) as err:
        load_qa(f)
    text = str(err.value)
    assert "4 problem(s)" in text
    for line in ("line 2: \"question\" is empty", "line 3: invalid JSON", "line 4: \"answer\"",
                 "line 5: id 'a' is already used on line 1"):
        assert line in text


def test_a_question_longer_than_the_assistant_accepts_is_refused_up_front(tmp_path: Path) -> None:
    f = qa_file(tmp_path, {**GOOD, "question": "x" * 50})
    with pytest.raises(InvalidInputError, match=r"line 1: \"question\" is 50 characters; .*max_query_chars\) is 20"):
        load_qa(f, max_question_chars=20)


def test_a_qa_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    f = qa_file(tmp_path, GOOD, {**GOOD, "id": "b", "answer": None, "doc_ids": []}, raw=b"\xef\xbb\xbf")
    items = load_qa(f)
    assert [i.qid for i in items] == ["a", "b"]
    assert items[0].doc_ids == ("atm-and-spending-limits",) and not items[1].answerable


def test_beir_export_refuses_what_it_could_not_write_faithfully(tmp_path: Path) -> None:
    from rightfit.evals.datasets import qa_to_beir

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fees.md").write_text("# Fees\n\nThe Premier account costs £15 a month.\n")
    qa = tmp_path / "qa.jsonl"

    def write(*rows: dict) -> None:
        qa.write_text("".join(json.dumps(r) + "\n" for r in rows))

    write({"id": "q\t1", "question": "premier fee?", "answer": "£15", "doc_ids": ["fees"]})
    with pytest.raises(InvalidInputError, match="tab or line break"):
        qa_to_beir(qa, docs, tmp_path / "out")
    write({"id": "u1", "question": "boat loans?", "answer": None, "doc_ids": []})
    with pytest.raises(InvalidInputError, match="no answerable question"):
        qa_to_beir(qa, docs, tmp_path / "out")
    write({"id": "q1", "question": "premier fee?", "answer": "£15", "doc_ids": ["fees"]})
    with pytest.raises(InvalidInputError, match="does not exist"):
        qa_to_beir(qa, tmp_path / "nodocs", tmp_path / "out")
    assert qa_to_beir(qa, docs, tmp_path / "out") == (1, 1)
    assert (tmp_path / "out" / "qrels" / "test.tsv").read_text().splitlines()[1:] == ["q1\tfees\t1"]
    assert qa_to_beir(qa, docs, tmp_path / "out") == (1, 1)  # over an earlier export: allowed
    # Never into the documents, nor over a folder that holds anything else.
    with pytest.raises(InvalidInputError, match="inside the documents folder"):
        qa_to_beir(qa, docs, docs / "beir")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("mine")
    with pytest.raises(InvalidInputError, match=r"already holds other files \(notes.md\)"):
        qa_to_beir(qa, docs, tmp_path / "mine")
