from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.core.errors import ConfigError
from rightfit.core.settings import Settings
from rightfit.ingest.indexer import Indexer
from rightfit.models.lock import check_lock, write_lock
from tests.fakes import HashingEmbedder


def test_lock_matches_until_the_index_or_settings_change(settings: Settings, mini_corpus: Path,
                                                         tmp_path: Path) -> None:
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    lock = tmp_path / "rightfit.lock"
    written = write_lock(settings, lock)
    assert written["rung"] == "extractive" and len(written["models"]) == 2
    check_lock(settings, lock)  # unchanged: passes
    changed = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"top_k": 9})})
    with pytest.raises(ConfigError, match="settings differ"):
        check_lock(changed, lock)
    (mini_corpus / "new.md").write_text("# New\n\nA new policy.\n")
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    with pytest.raises(ConfigError, match="index chunks.sqlite differs"):
        check_lock(settings, lock)


def test_lock_needs_an_index(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rightfit index"):
        write_lock(settings, tmp_path / "x.lock")
