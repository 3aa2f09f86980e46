"""Folders as users really have them: odd names, repeated ids, unreadable folders, other encodings.

Each case must skip only what is broken, say so by name with the fix, and index the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from rightfit.core.errors import InvalidInputError
from rightfit.core.settings import Settings
from rightfit.ingest.indexer import Indexer
from rightfit.ingest.loaders import load_file
from rightfit.retrieval.stores.embedded import EmbeddedStore, current_generation
from rightfit.types import IndexReport
from tests.fakes import HashingEmbedder

MINI_IDS = {"cards", "fees", "complaints", "faq-1", "faq-2"}


def _index(settings: Settings, source: Path) -> IndexReport:
    return Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=source)


def _doc_ids(settings: Settings) -> set[str]:
    store = EmbeddedStore.open(settings.data_dir)
    try:
        return set(store.doc_ids)
    finally:
        store.close()


def _reasons(report: IndexReport) -> dict[str, str]:
    return {s.path: s.reason for s in report.skipped}


def _printable(report: IndexReport) -> None:
    """What `rightfit index --json` prints must encode: no lone surrogate may reach it."""
    json.dumps(asdict(report), ensure_ascii=False).encode("utf-8")


def _raw_name(parent: Path, name: bytes) -> Path:
    """A path whose name is these bytes, as Linux allows; skip where the file system refuses them."""
    path = parent / os.fsdecode(name)
    try:
        path.touch()
        path.unlink()
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes UTF-8 names")
    return path


# --- 1. names that are not UTF-8 -------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_skipped_by_name_and_the_rest_is_indexed(
        settings: Settings, mini_corpus: Path) -> None:
    _raw_name(mini_corpus, b"caf\xe9.md").write_text("# Cafe\n\nCoffee in branches.\n")
    report = _index(settings, mini_corpus)
    assert list(_reasons(report)) == ["caf\\xe9.md"]  # the undecodable byte shown escaped
    assert "rename it to a UTF-8 name" in report.skipped[0].reason
    assert _doc_ids(settings) == MINI_IDS
    _printable(report)


def test_a_folder_name_that_is_not_utf8_is_reported_once(settings: Settings, mini_corpus: Path) -> None:
    folder = _raw_name(mini_corpus, b"notes-\xff")
    folder.mkdir()
    for n in range(3):
        (folder / f"n{n}.md").write_text(f"# Note {n}\n\nSome text.\n")
    report = _index(settings, mini_corpus)
    assert list(_reasons(report)) == ["notes-\\xff/"]
    assert "rename it to a UTF-8 name" in report.skipped[0].reason
    assert _doc_ids(settings) == MINI_IDS
    _printable(report)


def test_a_folder_of_only_badly_named_files_keeps_the_previous_index(settings: Settings, mini_corpus: Path,
                                                                     tmp_path: Path) -> None:
    _index(settings, mini_corpus)
    before = current_generation(settings.data_dir)
    odd = tmp_path / "odd"
    odd.mkdir()
    _raw_name(odd, b"r\xe9sum\xe9.txt").write_text("Resume\n\nText.\n")
    with pytest.raises(InvalidInputError, match=r"no usable documents.*r\\xe9sum\\xe9\.txt") as err:
        _index(settings, odd)
    str(err.value).encode("utf-8")  # printable as it is
    assert current_generation(settings.data_dir) == before


def test_jsonl_escapes_that_spell_half_a_character_are_refused_per_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"_id": "caf\\udce9", "text": "one"}\n{"_id": "ok", "text": "bad \\ud800 text"}\n'
                    '{"_id": "fine", "text": "emoji \\ud83d\\ude00 is a whole pair"}\n')
    docs, problems = load_file(path, tmp_path)
    assert [d.doc_id for d in docs] == ["fine"]
    assert problems[0].startswith('line 1: "_id" holds an unpaired surrogate escape (\\udce9)')
    assert problems[1].startswith('line 2: "text" holds an unpaired surrogate escape')


# --- 2. repeated document ids ----------------------------------------------------------------------------------


def test_a_repeated_id_inside_one_jsonl_skips_only_the_second_record(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "dup"
    docs.mkdir()
    (docs / "a.jsonl").write_text('{"id":"x","text":"one"}\n{"id":"x","text":"two"}\n{"id":"y","text":"three"}\n')
    report = _index(settings, docs)
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("a.jsonl", "line 2: document id 'x' is already used by line 1 of a.jsonl; give each record its own id")]
    assert report.documents == 2 and _doc_ids(settings) == {"x", "y"}
    store = EmbeddedStore.open(settings.data_dir)
    try:
        assert store.document_text("x") == "one"  # the first record wins, as the first file does
    finally:
        store.close()


def test_repeated_ids_across_files_skip_only_the_clashing_record_or_file(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "dup"
    docs.mkdir()
    (docs / "a.jsonl").write_text('{"id":"x","text":"one"}\n{"id":"faq","text":"the faq record"}\n')
    (docs / "b.jsonl").write_text('{"id":"x","text":"again"}\n{"id":"z","text":"zed"}\n')
    (docs / "faq.md").write_text("# FAQ\n\nA file whose id a record already took.\n")
    report = _index(settings, docs)
    assert _reasons(report) == {
        "b.jsonl": "line 1: document id 'x' is already used by line 1 of a.jsonl; give each record its own id",
        "faq.md": "document id 'faq' is already used by line 2 of a.jsonl; "
                  "rename this file or change the id on that line",
    }
    assert _doc_ids(settings) == {"x", "faq", "z"}


def test_a_record_dropped_for_a_clash_comes_back_when_the_other_file_goes(settings: Settings,
                                                                          tmp_path: Path) -> None:
    docs = tmp_path / "dup"
    docs.mkdir()
    (docs / "a.jsonl").write_text('{"id":"x","text":"one"}\n')
    (docs / "b.jsonl").write_text('{"id":"x","text":"again"}\n{"id":"z","text":"zed"}\n')
    _index(settings, docs)
    (docs / "a.jsonl").unlink()
    report = _index(settings, docs)  # b.jsonl is unchanged, but what it lost is no longer taken
    assert report.skipped == ()
    assert _doc_ids(settings) == {"x", "z"}


# --- 3. folders that cannot be read ----------------------------------------------------------------------------


@pytest.fixture
def locked_folder(mini_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A subfolder that cannot be listed, as chmod 000 makes it for anyone but root."""
    locked = mini_corpus / "private"
    locked.mkdir()
    (locked / "secret.md").write_text("# Secret\n\nHidden text.\n")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield locked


def test_an_unreadable_folder_is_reported_by_name(settings: Settings, mini_corpus: Path, locked_folder: Path) -> None:
    report = _index(settings, mini_corpus)
    assert _reasons(report) == {
        "private/": "folder cannot be read (Permission denied); its files were not indexed"}
    assert _doc_ids(settings) == MINI_IDS


# --- 4. other encodings, empty ids, how skips read ---------------------------------------------------------------


def test_utf16_text_with_a_bom_is_decoded(settings: Settings, mini_corpus: Path) -> None:
    (mini_corpus / "notepad.txt").write_bytes("Opening hours\n\nWe open at 9am.\n".encode("utf-16"))
    (mini_corpus / "be.md").write_bytes("\ufeff# Big end\n\nText.\n".encode("utf-16-be"))
    report = _index(settings, mini_corpus)
    assert report.skipped == ()
    (doc,), _ = load_file(mini_corpus / "notepad.txt", mini_corpus)
    assert doc.text == "Opening hours\n\nWe open at 9am.\n"
    assert _doc_ids(settings) == MINI_IDS | {"notepad", "be"}


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("nobom.txt", "Opening hours are 9 to 5.".encode("utf-16-le"),
         "looks like UTF-16 text without a byte-order mark; re-save the file as UTF-8"),
        ("wide.jsonl", '{"id": "a", "text": "t"}\n'.encode("utf-16"),
         "is UTF-16 text (it starts with a UTF-16 byte-order mark); re-save the file as UTF-8"),
    ],
)
def test_utf16_that_cannot_be_read_says_so(settings: Settings, mini_corpus: Path, name: str, payload: bytes,
                                           message: str) -> None:
    (mini_corpus / name).write_bytes(payload)
    assert _reasons(_index(settings, mini_corpus)) == {name: message}


def test_an_empty_id_is_refused_per_line(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "ids"
    docs.mkdir()
    (docs / "e.jsonl").write_text('{"id": "", "text": "t"}\n{"_id": "  ", "text": "t"}\n{"id": true, "text": "t"}\n'
                                  '{"id": "y", "text": "kept"}\n')
    report = _index(settings, docs)
    assert [s.reason for s in report.skipped] == [
        f'line {n}: needs a non-empty "_id" (or "id") string or number' for n in (1, 2, 3)]
    assert _doc_ids(settings) == {"y"}


def test_a_skip_names_the_file_once(settings: Settings, mini_corpus: Path) -> None:
    (mini_corpus / "image.md").write_bytes(b"\x89PNG\x00\x00")
    (mini_corpus / "old.txt").write_bytes("Tarifs: 5\xe9".encode("latin-1"))
    (mini_corpus / "bad.jsonl").write_text('{"id": "ok", "text": "fine"}\nnot json\n')
    report = _index(settings, mini_corpus)
    assert {s.path for s in report.skipped} == {"image.md", "old.txt", "bad.jsonl"}
    for s in report.skipped:  # printed as "skipped <path>: <reason>"
        assert s.path not in s.reason, s
    assert _reasons(report)["bad.jsonl"] == "line 2: invalid JSON (Expecting value)"


# --- links ---------------------------------------------------------------------------------------------------


def test_a_link_out_of_the_folder_is_not_followed_and_is_said(settings: Settings, mini_corpus: Path,
                                                              tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (mini_corpus / "passwd.txt").symlink_to(secret)
    (mini_corpus / "broken.md").symlink_to(mini_corpus / "gone.md")
    (mini_corpus / "loop_a.md").symlink_to(mini_corpus / "loop_b.md")
    (mini_corpus / "loop_b.md").symlink_to(mini_corpus / "loop_a.md")
    (mini_corpus / "same-fees.txt").symlink_to(mini_corpus / "fees.txt")  # inside: followed as usual
    report = _index(settings, mini_corpus)
    reasons = _reasons(report)
    assert "outside the documents folder" in reasons["passwd.txt"]
    assert all("leads nowhere" in reasons[n] for n in ("broken.md", "loop_a.md", "loop_b.md"))
    assert "passwd" not in _doc_ids(settings) and "same-fees" in _doc_ids(settings)


def test_jsonl_nested_too_deeply_skips_that_line_only(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "deep"
    docs.mkdir()
    deep = "[" * 100_000 + "]" * 100_000  # valid JSON that Python's parser cannot recurse through
    (docs / "a.jsonl").write_text(json.dumps({"id": "ok", "title": "OK", "text": "Cards and their limits."}) + "\n"
                                  + '{"id": "deep", "text": "x", "x": ' + deep + "}\n", encoding="utf-8")
    report = _index(settings, docs)
    assert "line 2: invalid JSON (nested too deeply to read)" in _reasons(report)["a.jsonl"]
    assert _doc_ids(settings) == {"ok"}
