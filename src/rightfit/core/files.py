"""Writing files so that a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import os
from pathlib import Path

from rightfit.core.errors import InvalidInputError


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path` (per process, so concurrent writers do not share it) and
    rename it over `path`."""
    if not path.name or path.is_dir():
        raise InvalidInputError(f"{path} is a directory; give a file path such as {path / 'out.json'}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # named by the path asked for, not the temporary file beside it
        raise InvalidInputError(f"cannot write {path} ({exc.strerror}); check that its folder exists and is "
                                "writable") from None
    finally:
        tmp.unlink(missing_ok=True)
