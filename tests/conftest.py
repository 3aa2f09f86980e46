from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path

import pytest

from rightfit.core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "examples" / "bank"
EXE = str(Path(sys.executable).parent / "rightfit")  # this environment's command-line entry point


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    """A small corpus in every supported text format."""
    root = tmp_path / "docs"
    root.mkdir()
    (root / "cards.md").write_text(
        "# Cards and limits\n\n## ATM withdrawals\n\nYou can withdraw up to £500 per day from ATMs with a "
        "standard debit card. Premier customers can withdraw up to £1,000 per day.\n\n## Contactless\n\n"
        "The contactless limit is £100 per payment.\n", encoding="utf-8")
    (root / "fees.txt").write_text(
        "Fees and charges\n\nMonthly fee\n\nThe Everyday account has no monthly fee. The Premier account costs "
        "£15 per month.\n\nForeign transactions\n\nWe charge 2.75% on card payments in a foreign currency.\n",
        encoding="utf-8")
    (root / "complaints.html").write_text(
        "<html><head><title>Complaints</title><script>var x = 'not text';</script></head><body><h1>Complaints</h1>"
        "<h2>How long it takes</h2><p>We reply to complaints within 8 weeks.</p>"
        "<ul><li>Call us on 0800 123 456</li></ul></body></html>", encoding="utf-8")
    (root / "faq.jsonl").write_text(
        '{"_id": "faq-1", "title": "Branch hours", "text": "Branches open 9am to 5pm on weekdays."}\n'
        '{"_id": "faq-2", "title": "Cheques", "text": "Cheques clear within 2 working days."}\n',
        encoding="utf-8")
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=str(tmp_path / "data"))


@pytest.fixture(scope="session")
def real_embedder():  # noqa: ANN201
    from rightfit.models.embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def bank_settings(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Settings:  # noqa: ANN001
    """The bank example indexed once per session with the real embedding model, scanned as `rightfit index` does."""
    from rightfit.guard.ingest_scan import ChunkScanner
    from rightfit.ingest.indexer import Indexer

    base = load_settings(BANK / "rightfit.toml")
    data = tmp_path_factory.mktemp("bank") / "data"
    Indexer(data_dir=data, embedder=real_embedder, max_chars=base.chunking.max_chars,
            guard=ChunkScanner()).run(source=BANK / "docs")
    return base.model_copy(update={"data_dir": data})


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, extra_env: dict[str, str] | None = None):  # noqa: ANN201
    """A real `rightfit serve` process on loopback; returns (base URL, process)."""
    import os
    import subprocess
    import time

    import httpx

    port = _free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--config", str(BANK / "rightfit.toml"), "--data-dir", str(data_dir),
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base, proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start (exit code {proc.poll()})")
        time.sleep(0.2)


def stop_server(proc) -> None:  # noqa: ANN001
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def bank_server(bank_settings: Settings):  # noqa: ANN201
    """The bank example served on the extractive rung."""
    base, proc = start_server(bank_settings.data_dir)
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def assistant_template(bank_settings: Settings, real_embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: ANN001
    """A data directory with the bank index, a trained intent classifier and a freshly seeded bank database."""
    from rightfit.assistant.qa import QAPipeline
    from rightfit.assistant.service import build_assistant

    data = copy_tree(bank_settings.data_dir, tmp_path_factory.mktemp("assistant") / "data")
    settings = bank_settings.model_copy(update={"data_dir": data})
    build_assistant(settings, qa=QAPipeline(settings=settings, embedder=real_embedder))
    return data


@pytest.fixture
def assistant_settings(assistant_template: Path, bank_settings: Settings, tmp_path: Path) -> Settings:
    """Per test: its own copy of the bank database, sessions and audit log."""
    return bank_settings.model_copy(update={"data_dir": copy_tree(assistant_template, tmp_path / "data")})


@pytest.fixture
def assistant(assistant_settings: Settings, real_embedder):  # noqa: ANN001, ANN201
    from rightfit.assistant.qa import QAPipeline
    from rightfit.assistant.service import build_assistant

    return build_assistant(assistant_settings, qa=QAPipeline(settings=assistant_settings, embedder=real_embedder))


@contextlib.contextmanager
def serve_assistant_copy(template: Path, tmp_path_factory: pytest.TempPathFactory, name: str):  # noqa: ANN201
    """A real server over a private copy of the assistant data directory: (base URL, data directory)."""
    data = copy_tree(template, tmp_path_factory.mktemp(name) / "data")
    base, proc = start_server(data)
    try:
        yield base, data
    finally:
        stop_server(proc)
