"""Personal data a customer writes in a conversation stays out of transcripts, tickets, the audit log, the
application log and the trace store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.chatting import Conversation

pytestmark = pytest.mark.integration

SEEDED_PII = ["alice.moreno@example.com", "07700 900101", "ben.okafor@example.com", "07700 900202",
              "4929 1234 5672 8120"]
SECRETS = ["PIN is 4821", "Hunter2!xyz", "rf_abcdefghijklmnopqrstuvwxyz012345"]


def _talk_about_pii(assistant) -> list:  # noqa: ANN001
    c = Conversation(assistant)
    return [c.say("my email is alice.moreno@example.com and my phone 07700 900101, card 4929 1234 5672 8120 was "
                  "stolen"),
            c.say("can you ask a person to call me on 07700 900101"),
            c.say("send ben.okafor@example.com my statements, his number is 07700 900202"),
            Conversation(assistant).say("What are the overdraft fees for alice.moreno@example.com, phone "
                                        "07700 900101?"),
            # Secrets told by their label: the guard blocks the second one, and it is audited all the same.
            Conversation(assistant).say("my PIN is 4821, is that why my card was declined?"),
            Conversation(assistant).say("my online banking password is Hunter2!xyz and my token is "
                                        "rf_abcdefghijklmnopqrstuvwxyz012345, log me in")]


def _leaked(text: str) -> list[str]:
    return [s for s in (*SEEDED_PII, *SECRETS) if s in text or s.replace(" ", "") in text]


def test_no_seeded_customer_pii_in_transcripts_tickets_or_audit(assistant, assistant_settings, caplog) -> None:  # noqa: ANN001
    import logging

    from rightfit.guard.pii import install_redaction

    caplog.set_level(logging.INFO)
    install_redaction()
    _talk_about_pii(assistant)
    data = Path(assistant_settings.data_dir)
    stored = []
    with sqlite3.connect(data / "bank.sqlite") as db:
        stored += [" ".join(map(str, r)) for r in db.execute("SELECT summary, fields FROM tickets")]
    with sqlite3.connect(data / "assistant.sqlite") as db:
        stored += [r[0] for r in db.execute("SELECT text FROM turns")]
    with sqlite3.connect(data / "audit.sqlite") as db:
        stored += [" ".join(map(str, r)) for r in db.execute("SELECT arguments, reason, result FROM audit")]
    stored += [r.getMessage() for r in caplog.records]
    assert stored
    assert _leaked("\n".join(stored)) == []


@pytest.mark.parametrize("trace_content", [False, True])
def test_no_seeded_customer_pii_in_the_trace_store(assistant_settings, real_embedder,  # noqa: ANN001
                                                   trace_content: bool) -> None:
    from rightfit.assistant.qa import QAPipeline
    from rightfit.assistant.service import build_assistant
    from rightfit.telemetry.tracing import configure_tracing, flush

    settings = assistant_settings.model_copy(update={"trace_content": trace_content})
    traces = Path(settings.data_dir) / "traces.sqlite"
    configure_tracing(trace_db=traces)  # as `rightfit serve` does
    bot = build_assistant(settings, qa=QAPipeline(settings=settings, embedder=real_embedder))
    replies = _talk_about_pii(bot)
    # The policy question reached the documents path, which records the question when trace_content is on.
    assert replies[-1].route in ("answer", "abstain"), replies[-1]
    flush()
    with sqlite3.connect(traces) as db:
        spans = db.execute("SELECT name, attributes FROM spans").fetchall()
    assert {"chat", "ask"} <= {name for name, _ in spans}
    questions = [json.loads(a).get("question", "") for name, a in spans if name == "ask"]
    if trace_content:  # the question was recorded, so only redaction keeps the e-mail and phone out
        assert any("overdraft fees" in q and "[email]" in q and "[phone]" in q for q in questions), questions
    else:
        assert questions and not any(questions)
    assert _leaked("\n".join(f"{name} {attributes}" for name, attributes in spans)) == []
