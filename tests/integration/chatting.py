"""Talking to the bank assistant in tests: a conversation that keeps its session, and what the bank's own
database says afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class Conversation:
    def __init__(self, assistant, customer: str = "C001") -> None:  # noqa: ANN001
        self.assistant, self.customer, self.session = assistant, customer, None

    def say(self, message: str):  # noqa: ANN201
        reply = self.assistant.run(customer_id=self.customer, message=message, session_id=self.session)
        self.session = reply.session_id
        return reply


def bank_db(settings) -> sqlite3.Connection:  # noqa: ANN001
    return sqlite3.connect(Path(settings.data_dir) / "bank.sqlite")


def card_status(settings, customer: str, last4: str) -> str:  # noqa: ANN001
    with bank_db(settings) as db:
        row = db.execute("SELECT status FROM cards WHERE customer_id = ? AND last4 = ?", (customer, last4))
        return row.fetchone()[0]


def address_of(settings, customer: str) -> tuple[str, str]:  # noqa: ANN001
    with bank_db(settings) as db:
        return db.execute("SELECT address, postcode FROM customers WHERE id = ?", (customer,)).fetchone()
