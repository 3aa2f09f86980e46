"""The server's body reader: a body that never comes is a 408, not a connection held open for ever."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rightfit.server.app import BodyLimit


async def _call(middleware: BodyLimit, headers: list[tuple[bytes, bytes]],
                messages: list[dict[str, Any]]) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # the client sends nothing more
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/search", "headers": headers}
    await middleware(scope, receive, send)
    return sent


def test_a_body_shorter_than_declared_gets_408_in_time() -> None:
    reached: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    limit = BodyLimit(app, max_bytes=1000, timeout_s=0.2)
    sent = asyncio.run(asyncio.wait_for(_call(limit, [(b"content-length", b"100")],
                                              [{"type": "http.request", "body": b'{"query"', "more_body": True}]), 5))
    assert sent[0]["status"] == 408 and not reached
    assert json.loads(sent[1]["body"])["error"]["type"] == "request_timeout"


def test_a_whole_body_reaches_the_app_unchanged() -> None:
    bodies: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        bodies.append((await receive())["body"])

    limit = BodyLimit(app, max_bytes=1000, timeout_s=0.2)
    asyncio.run(_call(limit, [(b"content-length", b"8")], [{"type": "http.request", "body": b'{"q": 1}'}]))
    assert bodies == [b'{"q": 1}']
