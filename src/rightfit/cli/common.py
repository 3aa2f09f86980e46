"""What the commands share: settings lookup, option types, progress bars, index and pipeline construction."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from rightfit.core.errors import InvalidInputError
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


# Where stderr is not a terminal (a log file, CI, nohup), progress is plain lines instead of bars: one when a phase
# starts, one at each quarter, at most one per this many seconds in between, and one when it ends.
PROGRESS_LOG_INTERVAL = 30.0


def progress_bar(desc: str, total: int) -> Any:
    from tqdm import tqdm

    # disable=None: a bar only on a terminal (Progress prints lines elsewhere); one-step phases get one too.
    return tqdm(total=total, desc=desc, unit="", file=sys.stderr, leave=False, dynamic_ncols=True, disable=None)


def format_duration(seconds: float) -> str:
    """45s, 3m10s, 1h02m."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


@dataclass
class _LoggedPhase:
    started: float
    last_line: float
    done: int = 0
    total: int = 0
    quarter: int = 0
    finished: bool = False


class Progress:
    """Progress of a long job on stderr, so stdout stays parseable: tqdm bars, one per phase, on a terminal;
    plain lines (start, every quarter, every PROGRESS_LOG_INTERVAL seconds, end with the time taken) otherwise.

    Call it as `progress(phase, done, total)`, or hand `progress.phase(name)` to a runner that reports one count;
    `close()` when the job ends. `stream` and `clock` are for tests (default: sys.stderr at first use, monotonic).
    """

    def __init__(self, *, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.bars: dict[str, Any] = {}
        self._stream = stream
        self._clock = clock
        self._terminal: bool | None = None
        self._logged: dict[str, _LoggedPhase] = {}

    @property
    def _out(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def __call__(self, phase: str, done: int, total: int) -> None:
        stream = self._out
        if self._terminal is None:
            self._terminal = _is_terminal(stream)
        if not self._terminal:
            self._log(stream, phase, done, total)
            return
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
        self.bars.clear()
        stream = self._out
        for name, p in self._logged.items():
            if not p.finished:  # interrupted, or a runner that never reported its last step
                p.finished = True
                self._write(stream, f"{name}: stopped at {self._count(p.done, p.total)} after "
                                    f"{format_duration(self._clock() - p.started)}")

    def _log(self, stream: TextIO, phase: str, done: int, total: int) -> None:
        now = self._clock()
        p = self._logged.get(phase)
        finished = done >= total
        if p is None or (p.finished and not finished):  # a new phase, or one that runs again
            p = self._logged[phase] = _LoggedPhase(started=now, last_line=now, done=done, total=total,
                                                   quarter=self._quarter(done, total), finished=finished)
            if finished:
                self._write(stream, f"{phase}: done {done}/{total} in {format_duration(0)}")
            else:
                self._write(stream, f"{phase}: started ({done}/{total})")
            return
        p.done, p.total = done, total
        if p.finished:
            return
        elapsed = format_duration(now - p.started)
        if finished:
            p.finished = True
            self._write(stream, f"{phase}: done {done}/{total} in {elapsed}")
            return
        quarter = self._quarter(done, total)
        # Quarter lines only once a phase has run a few seconds: a quick phase gets its start and end alone.
        if (quarter > p.quarter and now - p.started >= 2.0) or now - p.last_line >= PROGRESS_LOG_INTERVAL:
            p.quarter = max(p.quarter, quarter)
            p.last_line = now
            self._write(stream, f"{phase}: {self._count(done, total)} {elapsed}")

    @staticmethod
    def _quarter(done: int, total: int) -> int:
        return 4 * done // total if total > 0 else 0

    @staticmethod
    def _count(done: int, total: int) -> str:
        return f"{done}/{total} ({100 * done // total}%)" if total > 0 else f"{done}/{total}"

    @staticmethod
    def _write(stream: TextIO, line: str) -> None:
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop the job
            pass


def check_writable(path: Path | None, option: str) -> None:
    """Refuse, before a long run, an output path its writer (write_output) would fail on only at the end."""
    if path is None:
        return
    if path.is_dir():
        raise InvalidInputError(f"{option} {path} is a directory; give a file path such as {path / 'answers.jsonl'}")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:  # the writer creates missing folders
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InvalidInputError(f"{option} {path}: {ancestor} is a file, not a folder; choose another path")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InvalidInputError(f"{option} {path}: the folder {ancestor} is not writable; choose another path")


def save_artifact(save: Callable[[Path], str], out: Path) -> str:
    """`save(out)`, saying on a failure (a full disk) that the model already in `out` is still the one there."""
    try:
        return save(out)
    except OSError:
        typer.echo(f"could not write {out}; the artifact there before, if any, is unchanged", err=True)
        raise


def write_output(path: Path | None, text: str, what: str) -> None:
    """Write a report the user asked for (no path: nothing), atomically, and say where it went."""
    if path is None:
        return
    from rightfit.core.files import write_text_atomic

    write_text_atomic(path, text)
    typer.echo(f"wrote {what} {path}", err=True)


def build_index(settings: Settings, source: Path, files: list[Path] | None = None, *, replace: bool = False) -> Any:
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
        # Chunks are embedded once each: nothing to cache.
        indexer = Indexer(data_dir=settings.data_dir, embedder=MiniLMEmbedder(cache_size=0),
                          max_chars=settings.chunking.max_chars, max_file_bytes=settings.limits.max_file_bytes,
                          guard=guard)
        return indexer.run(source=source, files=files, progress=progress, replace=replace)
    finally:
        progress.close()


def pipeline(settings: Settings) -> Any:
    from rightfit.assistant.qa import QAPipeline
    from rightfit.core.runtime import limit_blas_threads
    from rightfit.telemetry.tracing import configure_tracing

    limit_blas_threads()
    # No trace store where there is no data directory: a mistyped --data-dir must not create one.
    configure_tracing(trace_db=settings.data_dir / "traces.sqlite" if settings.data_dir.is_dir() else None)
    return QAPipeline(settings=settings)
