"""Unusable paths from the command line: a data directory that is a file, a config that is a folder, a
mistyped data directory, a damaged index. Each gets one clear line naming the fix, never a traceback, and
nothing is created or left broken."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import EXE, _free_port

pytestmark = pytest.mark.integration


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600, check=False)


def test_a_data_dir_that_is_a_file_or_a_config_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    r = run("search", "fees", "--data-dir", str(tmp_path / "afile"))
    assert r.returncode == 1 and "is a file, not a directory" in r.stderr and "Traceback" not in r.stderr
    r = run("search", "fees", "--config", str(tmp_path))
    assert r.returncode == 1 and "is a directory; pass the TOML file" in r.stderr and "Traceback" not in r.stderr


def test_a_mistyped_data_dir_is_not_created(tmp_path: Path) -> None:
    for command in (("search", "fees"), ("ask", "what are the fees?"), ("serve", "--port", str(_free_port()))):
        r = run(*command, "--data-dir", str(tmp_path / "typo"))
        assert r.returncode == 1 and "no index in" in r.stderr, r.stderr
    assert not (tmp_path / "typo").exists()


def test_a_damaged_index_is_named_and_the_next_index_run_rebuilds_it(mini_corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("index", str(mini_corpus), "--data-dir", str(data)).returncode == 0
    generation = data / "index" / (data / "index" / "CURRENT").read_text().strip()
    (generation / "vectors.npy").unlink()
    r = run("search", "monthly fee", "--data-dir", str(data))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "damaged" in r.stderr and "vectors.npy is missing" in r.stderr and "rightfit index" in r.stderr
    r = run("index", str(mini_corpus), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    assert run("search", "monthly fee", "--data-dir", str(data)).returncode == 0
    generation = data / "index" / (data / "index" / "CURRENT").read_text().strip()
    (generation / "chunks.sqlite").write_bytes(b"not a database" * 100)
    r = run("search", "monthly fee", "--data-dir", str(data))
    assert r.returncode == 1 and "chunks.sqlite cannot be read" in r.stderr and "Traceback" not in r.stderr
    # Files emptied or overwritten: an empty vectors.npy (it printed only "Aborted!"), garbage under bm25/ (a
    # traceback).
    for damage, said in (("vectors.npy", "vectors.npy cannot be read"), ("bm25", "the bm25 index cannot be read")):
        assert run("index", str(mini_corpus), "--data-dir", str(data)).returncode == 0
        generation = data / "index" / (data / "index" / "CURRENT").read_text().strip()
        for f in [generation / damage] if damage.endswith(".npy") else (generation / damage).iterdir():
            f.write_bytes(b"" if damage.endswith(".npy") else b"\x87garbage")
        r = run("ask", "monthly fee?", "--data-dir", str(data))
        assert r.returncode == 1 and said in r.stderr and "rightfit index" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
        assert run("index", str(mini_corpus), "--data-dir", str(data)).returncode == 0  # rebuilt, not kept
        assert run("ask", "monthly fee?", "--data-dir", str(data)).returncode == 0


@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGTERM, 143, "terminated"),
                                                       (signal.SIGINT, 130, "interrupted")])
def test_a_stop_mid_index_keeps_the_previous_index(mini_corpus: Path, tmp_path: Path, signum: int, code: int,
                                                   word: str) -> None:

    data = tmp_path / "data"
    assert run("index", str(mini_corpus), "--data-dir", str(data)).returncode == 0
    for i in range(400):  # enough new text that embedding takes a while
        (mini_corpus / f"extra-{i}.md").write_text(f"# Note {i}\n\n" + "Branch opening hours and fees. " * 40)
    proc = subprocess.Popen([EXE, "index", str(mini_corpus), "--data-dir", str(data)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((data / "index").glob(".tmp-gen-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    # (Where a phase was cut, progress says "stopped at"; that line depends on when the signal lands, so
    # tests/unit/test_cli_progress.py checks it.)
    assert f"{word}; anything half-built" in err and "Traceback" not in err
    r = run("search", "note branch opening", "--data-dir", str(data), "--json")
    assert r.returncode == 0 and '"extra-' not in r.stdout  # still the first generation


@pytest.mark.parametrize("command", [("eval", "run"), ("eval", "gate")])
def test_report_paths_are_checked_before_the_suites_run(tmp_path: Path, command: tuple[str, ...]) -> None:
    config = Path(__file__).resolve().parents[2] / "examples" / "bank" / "rightfit.toml"
    r = run(*command, "--config", str(config), "--data-dir", str(tmp_path / "data"), "--junit", str(tmp_path))
    assert r.returncode == 2 and f"--junit {tmp_path} is a directory" in r.stderr
    assert not (tmp_path / "data").exists()  # refused up front: no suite ran


def test_serve_refuses_an_address_it_cannot_listen_on_before_starting(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("serve", "--data-dir", str(tmp_path / "data"), "--port", str(port))
    assert r.returncode == 2 and "Address already in use" in r.stderr and "another --port" in r.stderr
    r = run("serve", "--data-dir", str(tmp_path / "data"), "--host", "")
    assert r.returncode == 2 and "--host is empty" in r.stderr  # not silently every interface
    assert not (tmp_path / "data").exists()
