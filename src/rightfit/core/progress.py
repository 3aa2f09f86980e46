"""Progress reporting shared by long jobs: `note(phase, done, total)` callbacks, as the CLI's Progress takes."""

from __future__ import annotations

from collections.abc import Callable

Note = Callable[[str, int, int], None]


def counting(note: Note, phase: str, total: int) -> Callable[[int], None]:
    """A `progress(n more)` callback (as embedders call it) that reports the running count of `phase`."""
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        note(phase, done, total)

    return tick
