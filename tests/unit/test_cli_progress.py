"""Progress of long CLI jobs where stderr is a log file, not a terminal: plain lines a user can follow."""

from __future__ import annotations

import io

import pytest

from rightfit.cli.common import PROGRESS_LOG_INTERVAL, Progress, format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_a_redirected_stderr_gets_start_milestones_and_end(monkeypatch: pytest.MonkeyPatch) -> None:
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)  # what `rightfit tune reranker ... > log 2>&1` writes to
    clock = Clock()
    progress = Progress(clock=clock)
    tick = progress.phase("training")
    tick(0, 480)
    for done in range(1, 481):
        clock.now = 1000.0 + done  # a step a second: 8 minutes in all
        tick(done, 480)
    progress.close()
    out = lines(log)
    assert out[0] == "training: started (0/480)"
    assert out[1] == "training: 30/480 (6%) 30s"  # a sign of life between the quarters
    assert "training: 120/480 (25%) 2m00s" in out
    assert "training: 240/480 (50%) 4m00s" in out
    assert "training: 360/480 (75%) 6m00s" in out
    assert out[-1] == "training: done 480/480 in 8m00s"
    assert len(out) == 1 + 3 + 12 + 1  # start, quarters, a line every 30 s between them, end; none on close


def test_a_one_step_phase_prints_its_start_and_end() -> None:
    log = io.StringIO()
    clock = Clock()
    progress = Progress(stream=log, clock=clock)
    progress("export", 0, 1)
    clock.now += 75
    progress("export", 1, 1)
    progress.close()
    assert lines(log) == ["export: started (0/1)", "export: done 1/1 in 1m15s"]


def test_many_small_steps_are_throttled_to_one_line_per_interval() -> None:
    log = io.StringIO()
    clock = Clock()
    progress = Progress(stream=log, clock=clock)
    total = 100_000
    for done in range(total):  # 0.01 s a step: 1000 s in all
        clock.now = 1000.0 + done / 100
        progress("embed", done, total)
    clock.now = 2000.0
    progress("embed", total, total)
    out = lines(log)
    intervals = int(1000 / PROGRESS_LOG_INTERVAL)
    assert len(out) <= 1 + 3 + intervals + 1
    assert len(out) >= intervals  # still a sign of life every interval
    assert out[-1].startswith("embed: done 100000/100000 in 16m40s")


def test_an_interrupted_phase_says_where_it_stopped_and_a_rerun_phase_starts_again() -> None:
    log = io.StringIO()
    clock = Clock()
    progress = Progress(stream=log, clock=clock)
    progress("held-out eval", 2, 2)
    progress("held-out eval", 1, 2)
    clock.now += 5
    progress("queries", 3, 10)
    progress.close()
    assert lines(log) == ["held-out eval: done 2/2 in 0s", "held-out eval: started (1/2)",
                          "queries: started (3/10)", "held-out eval: stopped at 1/2 (50%) after 5s",
                          "queries: stopped at 3/10 (30%) after 0s"]


def test_a_terminal_gets_bars_not_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr("sys.stderr", term)
    progress = Progress()
    progress("export", 0, 1)
    assert "export" in progress.bars
    progress("export", 1, 1)
    progress.close()
    assert "started" not in term.getvalue()


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.9, "59s"), (190, "3m10s"), (3720, "1h02m")])
def test_durations_read_like_a_clock(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_a_quick_phase_prints_only_its_start_and_end() -> None:
    log = io.StringIO()
    clock = Clock()
    progress = Progress(stream=log, clock=clock)
    for done in range(101):
        clock.now = 1000.0 + done / 200  # half a second in all
        progress("load", done, 100)
    assert lines(log) == ["load: started (0/100)", "load: done 100/100 in 0s"]
