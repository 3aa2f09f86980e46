"""A real browser logs in as a demo customer on the chat page, asks, fills a slot and confirms an action."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import serve_assistant_copy
from tests.e2e.test_web_page import ARGS, CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def chat_server(assistant_template: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    with serve_assistant_copy(assistant_template, tmp_path_factory, "chat-page") as (base, data):
        yield base, data


@pytest.fixture(scope="module")
def page():  # noqa: ANN201
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; `bash scripts/install dev` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page()
        browser.close()


def _send(page, text: str, replies: int) -> str:  # noqa: ANN001
    page.fill("#message", text)
    page.click("#send")
    page.wait_for_function(f"document.querySelectorAll('.msg.assistant').length >= {replies}", timeout=30_000)
    return page.locator(".msg.assistant").nth(replies - 1).inner_text()


def test_login_ask_and_confirm_a_card_freeze(page, chat_server, tmp_path: Path) -> None:  # noqa: ANN001
    base, data = chat_server
    page.goto(base + "/chat")
    page.wait_for_function("document.querySelectorAll('#customer option').length >= 6", timeout=30_000)
    page.select_option("#customer", "C001")
    page.click("#login-button")
    page.wait_for_selector("#chat:not([hidden])")
    assert "Alice Moreno" in page.inner_text("#who")

    answer = _send(page, "How much cash can I take out of an ATM per day?", 1)
    assert "£500" in answer and "route answer" in answer

    ask = _send(page, "please freeze my card", 2)
    assert "8120" in ask and "4417" in ask
    confirm = _send(page, "the one ending 4417", 3)
    assert "4417" in confirm
    assert page.is_visible("#yes")
    page.click("#yes")
    page.wait_for_function("document.querySelectorAll('.msg.assistant').length >= 4", timeout=30_000)
    assert "frozen" in page.locator(".msg.assistant").nth(3).inner_text()
    with sqlite3.connect(data / "bank.sqlite") as db:
        status = db.execute("SELECT status FROM cards WHERE customer_id = 'C001' AND last4 = '4417'").fetchone()[0]
    assert status == "frozen"
    page.screenshot(path=str(tmp_path / "chat.png"))


def test_page_without_login_cannot_chat(page, chat_server) -> None:  # noqa: ANN001
    base, _ = chat_server
    page.goto(base + "/chat")
    assert page.is_hidden("#chat")
    status = page.evaluate("""async () => (await fetch('/v1/chat', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({message: 'hi'})})).status""")
    assert status == 401
