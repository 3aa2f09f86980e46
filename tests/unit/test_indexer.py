from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.assistant.qa import QAPipeline
from rightfit.core.errors import IndexMissingError, InvalidInputError
from rightfit.core.settings import Settings
from rightfit.ingest.indexer import Indexer
from rightfit.retrieval.stores.embedded import EmbeddedStore, current_generation
from tests.fakes import HashingEmbedder


def _index(settings: Settings, source: Path, embedder: HashingEmbedder | None = None):  # noqa: ANN202
    return Indexer(data_dir=settings.data_dir, embedder=embedder or HashingEmbedder()).run(source=source)


def test_index_reports_counts_and_every_format(settings: Settings, mini_corpus: Path) -> None:
    report = _index(settings, mini_corpus)
    assert report.documents == 5  # 3 files + 2 JSONL lines
    assert report.processed_files == 4 and report.reused_files == 0 and report.skipped == ()
    store = EmbeddedStore.open(settings.data_dir)
    assert set(store.doc_ids) == {"cards", "fees", "complaints", "faq-1", "faq-2"}
    assert store.vectors.shape == (len(store), 384)


def test_reindex_processes_only_changed_files(settings: Settings, mini_corpus: Path) -> None:
    _index(settings, mini_corpus)
    embedder = HashingEmbedder()
    again = _index(settings, mini_corpus, embedder)
    assert (again.processed_files, again.reused_files) == (0, 4)
    assert embedder.calls == 0
    (mini_corpus / "fees.txt").write_text("Fees\n\nThe Premier account now costs £17 per month.\n")
    (mini_corpus / "complaints.html").unlink()
    changed = _index(settings, mini_corpus, embedder)
    assert (changed.processed_files, changed.reused_files, changed.removed_files) == (1, 2, 1)
    pipeline = QAPipeline(settings=settings, embedder=HashingEmbedder())
    hits = pipeline.search(query="Premier monthly cost", method="bm25").hits
    assert "£17" in hits[0].chunk.text
    assert all(h.chunk.doc_id != "complaints" for h in pipeline.search(query="complaints weeks").hits)


def test_failed_run_leaves_previous_index_live(settings: Settings, mini_corpus: Path) -> None:
    _index(settings, mini_corpus)
    before = current_generation(settings.data_dir)
    (mini_corpus / "new.md").write_text("# New\n\nA brand new policy about travel money.\n")
    with pytest.raises(RuntimeError, match="on purpose"):
        _index(settings, mini_corpus, HashingEmbedder(fail_after=0))
    assert current_generation(settings.data_dir) == before
    assert not list((settings.data_dir / "index").glob(".tmp-*"))
    hits = QAPipeline(settings=settings, embedder=HashingEmbedder()).search(query="ATM withdraw per day").hits
    assert hits and hits[0].chunk.doc_id == "cards"


def test_bad_files_are_reported_by_name_and_skipped(settings: Settings, mini_corpus: Path) -> None:
    (mini_corpus / "scan.pdf").write_bytes(b"\x00\x01binary junk")
    (mini_corpus / "old.txt").write_bytes("Tarifs en euros: 5\xe9".encode("latin-1"))
    (mini_corpus / "image.md").write_bytes(b"\x89PNG\x00\x00")
    report = _index(settings, mini_corpus)
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"scan.pdf", "old.txt", "image.md"}
    assert "UTF-8" in reasons["old.txt"]
    assert report.processed_files == 4


def test_empty_corpus_is_an_error_and_keeps_the_old_index(settings: Settings, mini_corpus: Path,
                                                          tmp_path: Path) -> None:
    _index(settings, mini_corpus)
    before = current_generation(settings.data_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "junk.txt").write_bytes(b"\x00\x00")
    with pytest.raises(InvalidInputError, match="no usable documents") as err:
        _index(settings, empty)
    assert "junk.txt" in str(err.value)
    assert current_generation(settings.data_dir) == before


def test_duplicate_document_ids_are_reported(settings: Settings, mini_corpus: Path) -> None:
    (mini_corpus / "cards.txt").write_text("Cards\n\nA second file with the same id.\n")
    report = _index(settings, mini_corpus)
    assert [s.path for s in report.skipped] == ["cards.txt"]
    assert "already used by cards.md" in report.skipped[0].reason


def test_missing_index_names_the_fix(settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="rightfit index"):
        QAPipeline(settings=settings, embedder=HashingEmbedder()).search(query="hello")


def test_source_must_be_a_directory(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a directory"):
        _index(settings, tmp_path / "nope")
