from __future__ import annotations

import dataclasses

from rightfit.ingest.chunking import chunk_document, index_text
from rightfit.types import Document

TEXT = (
    "# Cards\n\nIntro paragraph about cards.\n\n## Limits\n\nYou can take out £500 a day.\n\n"
    "Premier customers can take out £1,000.\n\n### Abroad\n\n" + "Fees apply abroad. " * 120 + "\n\n## Fees\n\nNone."
)
DOC = Document(doc_id="cards", title="Cards", text=TEXT, source="cards.md", fmt="md")


def test_offsets_slice_the_exact_chunk_text() -> None:
    for chunk in chunk_document(DOC, max_chars=300):
        assert TEXT[chunk.start : chunk.end] == chunk.text
        assert chunk.doc_id == "cards"


def test_sections_follow_headings_and_never_mix() -> None:
    chunks = chunk_document(DOC, max_chars=300)
    by_section = {c.section: c.text for c in chunks}
    assert "£500" in by_section[("Limits",)] and "£1,000" in by_section[("Limits",)]
    assert by_section[("Fees",)] == "None."
    assert all("Fees apply abroad" in c.text for c in chunks if c.section == ("Limits", "Abroad"))


def test_size_cap_is_respected_and_cuts_at_sentences() -> None:
    chunks = chunk_document(DOC, max_chars=300)
    abroad = [c for c in chunks if c.section == ("Limits", "Abroad")]
    assert len(abroad) > 3
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(".") for c in abroad)


def test_ids_are_stable_and_unique() -> None:
    first = chunk_document(DOC, max_chars=300)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in chunk_document(DOC, max_chars=300)]
    assert len({c.chunk_id for c in first}) == len(first)
    # Editing one section leaves the other sections' ids alone.
    edited = dataclasses.replace(DOC, text=TEXT.replace("Intro paragraph about cards.", "A new intro."))
    before = {c.section: c.chunk_id for c in first if c.section in {("Limits",), ("Fees",)}}
    after = {c.section: c.chunk_id for c in chunk_document(edited, max_chars=300) if c.section in before}
    assert before == after


def test_plain_text_headings_are_detected() -> None:
    text = "Savings guide\n\nEasy Saver\n\nThe Easy Saver pays 3.1% AER.\n\nWithdrawals\n\nNo notice is needed."
    doc = Document(doc_id="s", title="Savings guide", text=text, source="s.txt", fmt="txt")
    chunks = chunk_document(doc)
    assert [c.section for c in chunks] == [("Easy Saver",), ("Withdrawals",)]


def test_index_text_adds_title_and_section() -> None:
    chunk = chunk_document(DOC, max_chars=300)[1]
    assert index_text(chunk).startswith("Cards\nLimits\n")


def test_no_text_is_lost_when_lines_look_like_headings() -> None:
    for fmt in ("jsonl", "txt"):
        doc = Document(doc_id="q", title="", text="I need my refund", source="x", fmt=fmt)
        assert [c.text for c in chunk_document(doc)] == ["I need my refund"]
    doc = Document(doc_id="t", title="Guide", text="Guide\n\nFees\n\nNo fees\n", source="t.txt", fmt="txt")
    assert [c.text for c in chunk_document(doc)] == ["No fees"]
