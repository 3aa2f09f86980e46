from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightfit.core.errors import IngestError
from rightfit.ingest.loaders import load_file


def test_markdown_keeps_raw_text_and_title(mini_corpus: Path) -> None:
    docs, problems = load_file(mini_corpus / "cards.md", mini_corpus)
    assert problems == []
    (doc,) = docs
    assert doc.doc_id == "cards"
    assert doc.title == "Cards and limits"
    assert doc.text == (mini_corpus / "cards.md").read_text(encoding="utf-8")


def test_html_drops_scripts_and_keeps_headings(mini_corpus: Path) -> None:
    (doc,), _ = load_file(mini_corpus / "complaints.html", mini_corpus)
    assert doc.title == "Complaints"
    assert "not text" not in doc.text
    assert "## How long it takes" in doc.text
    assert "We reply to complaints within 8 weeks." in doc.text


def test_an_html_table_with_a_header_row_keeps_its_column_names(tmp_path: Path) -> None:
    # Rows written as bare cells ("Non-sterling fee | 2.75% | 0%") left the reader to guess which column was which.
    (tmp_path / "fees.html").write_text(
        "<h2>Fees</h2><table><tr><th>Service</th><th>Standard | card</th><th>Premier</th></tr>"
        "<tr><td>Non-sterling fee</td><td>2.75%</td><td>0%</td></tr><tr><td>Express card</td><td>£15</td></tr>"
        "</table><table><tr><td>no</td><td>header</td></tr></table>", encoding="utf-8")
    (doc,), _ = load_file(tmp_path / "fees.html", tmp_path)
    assert ("| Service | Standard / card | Premier |\n|---|---|---|\n| Non-sterling fee | 2.75% | 0% |\n"
            "| Express card | £15 |  |") in doc.text
    assert "no | header" in doc.text  # a table without a header row: its rows as lines, as before


def test_jsonl_gives_one_document_per_line_and_reports_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text('{"_id": "a", "text": "alpha"}\nnot json\n{"id": 7, "title": "T", "text": "beta"}\n{"_id": "x"}\n')
    docs, problems = load_file(f, tmp_path)
    assert [d.doc_id for d in docs] == ["a", "7"]
    assert len(problems) == 2
    # The caller reports problems under the file name, so each names only the line.
    assert problems[0] == "line 2: invalid JSON (Expecting value)"
    assert problems[1].startswith("line 4: ")



def test_control_characters_never_reach_a_title_or_an_id(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"  # an escape sequence in a title would set the terminal title of whoever searches
    f.write_text(json.dumps({"_id": "t", "title": "T\u001b]0;PW\u0007\nnext", "text": "body"}) + "\n"
                 + json.dumps({"_id": "bad\u001bid", "text": "body"}) + "\n")
    docs, problems = load_file(f, tmp_path)
    assert [(d.doc_id, d.title) for d in docs] == [("t", "T]0;PW next")]
    assert problems == ["line 2: the id holds control characters or line breaks; give a plain id"]


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.set_title("Overdrafts")
    pdf.multi_cell(0, 10, "Overdraft interest is 39.9% EAR.\n\nThere is a buffer of 50 pounds.")
    path = tmp_path / "overdraft.pdf"
    pdf.output(str(path))
    (doc,), _ = load_file(path, tmp_path)
    assert doc.title == "Overdrafts"
    assert "39.9% EAR" in doc.text


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Caf\xe9 fees".encode("latin-1"), "not valid UTF-8"),
        ("fake.pdf", b"this is not a pdf", "not a PDF"),
        ("broken.pdf", b"%PDF-1.4\n garbage without objects", "not a readable PDF"),
        ("empty.md", b"   \n\n", "no text"),
        ("all-bad.jsonl", b"{oops\n", "no usable line"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_unusable_files_raise_an_error_naming_the_file(tmp_path: Path, name: str, payload: bytes,
                                                        message: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(IngestError) as err:
        load_file(path, tmp_path)
    assert name in str(err.value)
    assert message in str(err.value)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 5000)
    with pytest.raises(IngestError, match="over the 1000-byte limit"):
        load_file(path, tmp_path, max_bytes=1000)


def test_a_jsonl_corpus_larger_than_the_limit_loads_when_each_document_fits(tmp_path: Path) -> None:
    # A BEIR corpus is one file of many documents: the limit is per line, not per file.
    path = tmp_path / "corpus.jsonl"
    lines = [json.dumps({"_id": str(i), "text": f"document {i} " + "y" * 200}) for i in range(20)]
    lines.insert(5, json.dumps({"_id": "huge", "text": "z" * 5000}))
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"_id": "latin", "text": "caf\xe9"}\n')
    assert path.stat().st_size > 4000
    docs, problems = load_file(path, tmp_path, max_bytes=1000)
    assert [d.doc_id for d in docs] == [str(i) for i in range(20)]
    assert len(problems) == 2
    assert problems[0].startswith("line 6: ") and "over the 1000-byte limit per document" in problems[0]
    assert problems[1].startswith("line 22: ") and "not valid UTF-8" in problems[1]


def test_crlf_and_bom_are_normalized(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffTitle\r\n\r\nBody line.\r\n".encode())
    (doc,), _ = load_file(path, tmp_path)
    assert doc.text == "Title\n\nBody line.\n"
