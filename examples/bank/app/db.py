"""The bank's SQLite database: schema, seeding, and the ownership lookup the policy uses."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rightfit.core.errors import ConfigError
from rightfit.core.sqlite import write_transaction

from . import seed

SCHEMA = """
CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
                        address TEXT NOT NULL, postcode TEXT NOT NULL);
CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, sort_code TEXT NOT NULL,
                       number TEXT NOT NULL, balance_pence INTEGER NOT NULL, currency TEXT NOT NULL DEFAULT 'GBP');
CREATE TABLE account_holders (account_id TEXT NOT NULL REFERENCES accounts(id),
                              customer_id TEXT NOT NULL REFERENCES customers(id),
                              PRIMARY KEY (account_id, customer_id));
CREATE TABLE cards (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                    account_id TEXT NOT NULL REFERENCES accounts(id), last4 TEXT NOT NULL, kind TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'frozen', 'lost', 'stolen')),
                    replacement_ordered INTEGER NOT NULL DEFAULT 0);
CREATE TABLE transactions (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),
                           card_id TEXT REFERENCES cards(id), posted TEXT NOT NULL, merchant TEXT NOT NULL,
                           amount_pence INTEGER NOT NULL);
CREATE TABLE disputes (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                       transaction_id TEXT NOT NULL UNIQUE REFERENCES transactions(id), reason TEXT NOT NULL,
                       status TEXT NOT NULL DEFAULT 'open', created TEXT NOT NULL);
CREATE TABLE tickets (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
                      session_id TEXT NOT NULL, intent TEXT NOT NULL, summary TEXT NOT NULL, fields TEXT NOT NULL,
                      status TEXT NOT NULL DEFAULT 'open', created TEXT NOT NULL);
"""
# A new e-mail address waits here until the customer clicks the link sent to it (changing-your-personal-details.md).
# Added after the first release, so an older database gets it when opened.
EMAIL_CHANGES = """
CREATE TABLE IF NOT EXISTS email_changes (customer_id TEXT PRIMARY KEY REFERENCES customers(id),
                                          email TEXT NOT NULL, expires TEXT NOT NULL);
"""


def create(path: Path, *, replace: bool = False) -> None:
    """Create and seed the database at `path` if it does not exist (or, with `replace`, over the existing one),
    atomically: a reader sees the old database or the new one, never a half-written one."""
    if path.exists() and not replace:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bank-", suffix=".sqlite")
    os.close(fd)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.executescript(SCHEMA + EMAIL_CHANGES)
            db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?)", seed.CUSTOMERS)
            for acc, holders, name, kind, sort_code, number, balance in seed.ACCOUNTS:
                db.execute("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, 'GBP')",
                           (acc, name, kind, sort_code, number, balance))
                db.executemany("INSERT INTO account_holders VALUES (?, ?)", [(acc, c) for c in holders])
            db.executemany("INSERT INTO cards (id, customer_id, account_id, last4, kind) VALUES (?, ?, ?, ?, ?)",
                           seed.CARDS)
            db.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?)", seed.transactions())
            db.commit()
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _check(path: Path) -> None:
    """An existing file must be the bank's database: an empty one (as `sqlite3 FILE` leaves behind) is seeded,
    anything else is refused by name rather than failing later, tool call by tool call."""
    if path.stat().st_size == 0:
        create(path, replace=True)
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path} is not a SQLite database ({exc}); move it away and the bank's demo "
                          "database is created again on start") from exc
    missing = {"customers", "accounts", "account_holders", "cards", "transactions"} - tables
    if missing:
        raise ConfigError(f"{path} is not the bank's database (no {', '.join(sorted(missing))} table); move it "
                          "away and the bank's demo database is created again on start")


class BankDB:
    """Short-lived connections; every write happens inside one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        create(path)
        _check(path)
        with self.write() as db:
            db.execute(EMAIL_CHANGES)

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    def reset(self) -> None:
        """Back to the seeded state (eval suites start every conversation from it)."""
        create(self.path, replace=True)

    def write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self.path, rows=True, foreign_keys=True)

    def owners(self, kind: str, identifier: str) -> frozenset[str]:
        """Customer ids owning an account id, a card (by last four digits) or a transaction id."""
        queries = {
            "account": "SELECT customer_id FROM account_holders WHERE account_id = ?",
            "card": "SELECT customer_id FROM cards WHERE last4 = ?",
            "transaction": "SELECT h.customer_id FROM transactions t JOIN account_holders h "
                           "ON h.account_id = t.account_id WHERE t.id = ?",
        }
        sql = queries.get(kind)
        if sql is None:
            return frozenset()
        with self.read() as db:
            return frozenset(r[0] for r in db.execute(sql, (identifier.strip().upper(),)))

    def joint_holders(self, customer_id: str) -> list[str]:
        """The names of the others who hold an account with the customer."""
        with self.read() as db:
            return [r["name"] for r in db.execute(
                "SELECT DISTINCT c.name FROM account_holders mine JOIN account_holders other "
                "ON other.account_id = mine.account_id AND other.customer_id != mine.customer_id "
                "JOIN customers c ON c.id = other.customer_id WHERE mine.customer_id = ?", (customer_id,))]

    def customers(self) -> list[tuple[str, str]]:
        with self.read() as db:
            return [(r["id"], r["name"]) for r in db.execute("SELECT id, name FROM customers ORDER BY id")]
