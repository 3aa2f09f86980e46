from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.core.errors import ConfigError, InvalidInputError
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


def test_lock_covers_the_served_reranker_and_its_fused_weight(settings: Settings, mini_corpus: Path,
                                                             tmp_path: Path) -> None:
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    reranker = tmp_path / "rr"
    reranker.mkdir()
    (reranker / "model.onnx").write_bytes(b"weights")
    (reranker / "rightfit-reranker.json").write_text('{"fused_weight": 0.95}')
    served = settings.model_copy(update={"rerank": settings.rerank.model_copy(
        update={"enabled": True, "model": reranker})})
    lock = tmp_path / "rightfit.lock"
    write_lock(served, lock)
    check_lock(served, lock)
    (reranker / "rightfit-reranker.json").write_text('{"fused_weight": 0.5}')  # `tune blend` changed it
    with pytest.raises(ConfigError, match="reranker .* differs from the locked one"):
        check_lock(served, lock)


def test_a_pinned_pipeline_keeps_the_locked_index_generation(settings: Settings, mini_corpus: Path) -> None:
    from rightfit.assistant.qa import QAPipeline

    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    pipeline = QAPipeline(settings=settings, embedder=HashingEmbedder())
    with pytest.raises(ConfigError, match="lock file has gen-000009"):
        pipeline.pin_generation("gen-000009")
    pinned = pipeline.pin_generation(pipeline.store.generation.name)
    (mini_corpus / "pets.md").write_text("# Pets\n\nDogs are welcome in branches.\n")
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    assert pipeline.store.generation.name == pinned  # a new generation is not picked up
    assert "pets" not in {h.chunk.doc_id for h in pipeline.search(query="dogs welcome branches").hits if h.chunk}
    assert QAPipeline(settings=settings, embedder=HashingEmbedder()).store.generation.name != pinned


def _edited(lock: Path, **changes: object) -> Path:
    import json

    data = json.loads(lock.read_text())
    data.update(changes)
    out = lock.with_name("edited.lock")
    out.write_text(json.dumps(data))
    return out


def test_a_lock_of_the_wrong_shape_or_version_or_missing_classifiers_is_refused(
        settings: Settings, mini_corpus: Path, tmp_path: Path) -> None:
    from rightfit.models.lock import apply_lock

    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    (settings.data_dir / "classifiers" / "intents-x").mkdir(parents=True)
    (settings.data_dir / "classifiers" / "intents-x" / "weights.npz").write_bytes(b"w")
    lock = tmp_path / "rightfit.lock"
    write_lock(settings, lock)
    apply_lock(settings, lock)  # as written: served
    with pytest.raises(ConfigError, match="'choices' must be an object"):
        apply_lock(settings, _edited(lock, choices="abc"))
    with pytest.raises(ConfigError, match="choice for task 'answers' needs setting and rung"):
        apply_lock(settings, _edited(lock, choices={"answers": {"rung": 5}}))
    with pytest.raises(ConfigError, match="lock format version is 5"):
        apply_lock(settings, _edited(lock, version=5))
    with pytest.raises(ConfigError, match="classifier intents-x is in the data directory but not in the lock"):
        apply_lock(settings, _edited(lock, classifiers={}))
    (tmp_path / "empty.lock").write_text("{}")  # not a lock at all: said once, not a dozen mismatches
    with pytest.raises(ConfigError, match=r"is not a lock file \(no \"version\"\)"):
        apply_lock(settings, tmp_path / "empty.lock")
    with pytest.raises(InvalidInputError, match="cannot write /proc/x.lock .*check that its folder"):
        write_lock(settings, Path("/proc/x.lock"))  # named as asked, not by its temporary file


def test_a_lock_path_that_is_a_folder_is_refused_by_name(settings: Settings, mini_corpus: Path,
                                                         tmp_path: Path) -> None:
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    for folder in (tmp_path, Path(".")):
        with pytest.raises(InvalidInputError, match="is a directory; give a file path"):
            write_lock(settings, folder)
