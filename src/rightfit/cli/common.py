"""What the commands share: settings lookup, option types, progress bars, index and pipeline construction."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from rightfit.core.settings import Settings, load_settings

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file (default: $RIGHTFIT_CONFIG "
                                                "or ./rightfit.toml if present).", show_default=False)]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="Where the index and traces live.",
                                                 show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings_from(config: Path | None, data_dir: Path | None, **overrides: Any) -> Settings:
    if config is None:
        env = os.environ.get("RIGHTFIT_CONFIG")
        if env:
            config = Path(env)
        elif Path("rightfit.toml").is_file():
            config = Path("rightfit.toml")
    return load_settings(config, data_dir=str(data_dir) if data_dir else None, **overrides)


def progress_bar(desc: str, total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="", file=sys.stderr, leave=False, dynamic_ncols=True,
                disable=None if total > 1 else True)


class Progress:
    """tqdm bars, one per phase, on stderr so stdout stays parseable."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        bar = self.bars.get(phase)
        if bar is None:
            bar = self.bars[phase] = progress_bar(phase, total)
        bar.total = total
        bar.n = done
        bar.refresh()

    def phase(self, name: str) -> Callable[[int, int], None]:
        """A (done, total) callback for one phase, for runners that report a single count."""
        return lambda done, total: self(name, done, total)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def write_output(path: Path | None, text: str, what: str) -> None:
    """Write a report the user asked for (no path: nothing), atomically, and say where it went."""
    if path is None:
        return
    from rightfit.core.files import write_text_atomic

    write_text_atomic(path, text)
    typer.echo(f"wrote {what} {path}", err=True)


def build_index(settings: Settings, source: Path, files: list[Path] | None = None) -> Any:
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.ingest.indexer import Indexer
    from rightfit.models.embedding import MiniLMEmbedder

    limit_blas_threads()
    guard = None
    if settings.guard.scan_documents:
        from rightfit.guard.ingest_scan import ChunkScanner

        guard = ChunkScanner()
    progress = Progress()
    try:
        indexer = Indexer(data_dir=settings.data_dir, embedder=MiniLMEmbedder(),
                          max_chars=settings.chunking.max_chars, max_file_bytes=settings.limits.max_file_bytes,
                          guard=guard)
        return indexer.run(source=source, files=files, progress=progress)
    finally:
        progress.close()


def pipeline(settings: Settings) -> Any:
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.telemetry.tracing import configure_tracing

    limit_blas_threads()
    configure_tracing(trace_db=settings.data_dir / "traces.sqlite")
    return QAPipeline(settings=settings)
