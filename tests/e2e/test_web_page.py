"""A real browser (Debian's Chromium, driven by Playwright) asks the bank assistant through the web page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; `bash scripts/install dev` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def _ask(page, base: str, question: str) -> None:  # noqa: ANN001
    page.goto(base + "/")
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_function("document.querySelector('#meta').textContent.includes('trace')", timeout=30_000)


def test_atm_question_shows_the_figure_and_its_source(page, bank_server: str, tmp_path: Path) -> None:  # noqa: ANN001
    _ask(page, bank_server, "How much cash can I take out of an ATM per day?")
    assert "£500" in page.inner_text("#answer-text")
    sources = page.locator("#sources li")
    assert sources.count() >= 1
    assert "atm-and-spending-limits" in sources.first.inner_text()
    page.screenshot(path=str(tmp_path / "answer.png"))


def test_uncovered_question_shows_the_abstention(page, bank_server: str) -> None:  # noqa: ANN001
    _ask(page, bank_server, "Which cryptocurrencies can I buy in your app?")
    assert "can't find that" in page.inner_text("#answer-text")
    assert page.locator("#sources li").count() == 0


def test_error_from_the_server_is_shown(page, bank_server: str) -> None:  # noqa: ANN001
    page.goto(bank_server + "/")
    page.evaluate("document.querySelector('#question').removeAttribute('maxlength')")
    page.fill("#question", "x" * 2500)
    page.click("#ask-button")
    page.wait_for_selector("#answer-text.error", timeout=30_000)
    assert "limit is 2000" in page.inner_text("#answer-text")
