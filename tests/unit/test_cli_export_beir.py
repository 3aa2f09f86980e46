"""`rightfit eval export-beir` on a QA file with several bad questions: one error that names every bad line, and
nothing written (no model loads)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rightfit.cli.evals import eval_app
from rightfit.core.errors import InvalidInputError


def export(tmp_path: Path, *rows: dict[str, object]) -> tuple[str, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fees.md").write_text("# Fees\n\nThe Premier account costs £15 a month.\n", encoding="utf-8")
    (docs / "cards.md").write_text("# Cards\n\nA replacement card takes 5 working days.\n", encoding="utf-8")
    qa = tmp_path / "qa.jsonl"
    qa.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "beir"
    result = CliRunner().invoke(eval_app, ["export-beir", "--qa", str(qa), "--docs", str(docs), "--out", str(out)])
    assert isinstance(result.exception, InvalidInputError), result.output  # the CLI exits 2 with it on one line
    assert not out.exists()  # nothing half-exported
    return str(result.exception), qa


def question(qid: str, *doc_ids: str, answer: str | None = "x") -> dict[str, object]:
    return {"id": qid, "question": f"question {qid}?", "answer": answer, "doc_ids": list(doc_ids)}


def test_every_question_citing_a_missing_document_is_named_with_its_line(tmp_path: Path) -> None:
    message, qa = export(tmp_path, question("q1", "fees"), question("q2", "fee"),
                         question("u1", "nowhere", answer=None),  # unanswerable: not exported, so not checked
                         question("q3", "cards", "loans", "mortgages"), question("q\t4", "cards"))

    assert message.startswith(f"eval: 3 problem(s) exporting {qa} to BEIR; fix them and run again")
    lines = message.splitlines()[1:]
    assert lines[0].strip() == (f"{qa} line 2: question 'q2' cites 'fee' (did you mean 'fees'?), not a document "
                                f"in {tmp_path / 'docs'}")
    assert lines[1].strip().startswith(f"{qa} line 4: question 'q3' cites 'loans', 'mortgages', not documents")
    assert lines[2].strip().startswith(f"{qa} line 5: question 'q\\t4': id 'q\\t4' holds a tab or line break")
    assert len(lines) == 3


def test_a_file_of_bad_questions_lists_the_first_ten_and_counts_the_rest(tmp_path: Path) -> None:
    message, qa = export(tmp_path, *(question(f"q{i}", f"missing-{i}") for i in range(1, 15)))

    assert message.startswith("eval: 14 problem(s)")
    lines = [line.strip() for line in message.splitlines()[1:]]
    assert lines[0].startswith(f"{qa} line 1: question 'q1' cites 'missing-1'")
    assert lines[9].startswith(f"{qa} line 10: question 'q10' cites 'missing-10'")
    assert lines[10:] == ["... and 4 more"]
