"""Conversations and API tokens in SQLite.

A session belongs to one customer: loading it with another customer's token is the same "not found" as
an unknown id. Each turn (customer message, reply, new state) is written in one transaction, so a failed
request leaves the conversation as it was. Tokens are stored as sha256 digests only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rightfit.core.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from rightfit.core.jsonio import loads as loads_json
from rightfit.core.sqlite import write_transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, created REAL NOT NULL,
                                     updated REAL NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
                                  role TEXT NOT NULL, text TEXT NOT NULL, route TEXT NOT NULL,
                                  trace_id TEXT NOT NULL, ts REAL NOT NULL, PRIMARY KEY (session_id, seq));
CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, customer_id TEXT NOT NULL, created REAL NOT NULL,
                                   expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS holds (session_id TEXT PRIMARY KEY, until REAL NOT NULL);
"""
MAX_SESSION_ID = 64
# How long a turn may hold its conversation before another request may take it over (a crashed process
# must not lock a conversation for good).
HOLD_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class SessionState:
    """What the conversation remembers between turns."""

    intent: str | None = None  # the action being filled in, if any
    slots: Mapping[str, Any] = field(default_factory=dict)  # filled fields, JSON-ready
    pending: Mapping[str, Any] | None = None  # {"tool": ..., "arguments": ..., "intent": ...} awaiting a yes/no
    asked: str | None = None  # the field the last reply asked for
    options: tuple[str, ...] = ()  # the choices that question listed, in order ("the second one")
    made_with: tuple[str, ...] = ()  # what each item `last` listed was made with ("on your card ending 8120")
    named: int | None = None  # the item of `options` the last reply named ("That was ..."): what "it" is now
    last: str | None = None  # the action just completed, for follow-ups like "and for the other account?"
    queued: str | None = None  # a second request of the same message, taken up once nothing waits on the customer
    last_fields: Mapping[str, Any] = field(default_factory=dict)  # what `last` was done with ("and the week before?")
    offered: bool = False  # the last reply offered to pass the conversation to a colleague
    topic: str | None = None  # the question the documents were last asked (redacted), for "and if I'm premier?"
    quoted: tuple[str, ...] = ()  # the passages (doc:start-end) its last answer quoted: a follow-up gets more
    page: str | None = None  # the title of the page that answer came from, a follow-up's narrower context
    ticket: str | None = None  # the ticket this conversation was just handed over in: what follows is added to it
    handed: str | None = None  # what that ticket was opened for (the hand-off intent)
    withdrawn: Mapping[str, Any] | None = None  # the action just called off by a no: "actually yes" asks it again
    # An action that waited for a yes, set aside for one the app lets come first (the new address before the new
    # card is sent to it): asked again once nothing else waits. Shaped as `withdrawn` is.
    held: Mapping[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps({"intent": self.intent, "slots": dict(self.slots), "pending": self.pending,
                           "asked": self.asked, "last": self.last, "queued": self.queued,
                           "last_fields": dict(self.last_fields), "options": list(self.options),
                           "made_with": list(self.made_with), "named": self.named,
                           "offered": self.offered, "topic": self.topic, "quoted": list(self.quoted),
                           "page": self.page, "ticket": self.ticket, "handed": self.handed,
                           "withdrawn": self.withdrawn, "held": self.held},
                          ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> SessionState:
        d = loads_json(text)
        return cls(intent=d.get("intent"), slots=d.get("slots") or {}, pending=d.get("pending"),
                   asked=d.get("asked"), last=d.get("last"), queued=d.get("queued"),
                   last_fields=d.get("last_fields") or {}, options=tuple(d.get("options") or ()),
                   made_with=tuple(d.get("made_with") or ()), named=d.get("named"),
                   offered=bool(d.get("offered")), topic=d.get("topic"), quoted=tuple(d.get("quoted") or ()),
                   page=d.get("page"), ticket=d.get("ticket"), handed=d.get("handed"),
                   withdrawn=d.get("withdrawn"), held=d.get("held"))


@dataclass(frozen=True, slots=True)
class Turn:
    role: str
    text: str
    route: str
    trace_id: str


def _check_id(session_id: object) -> None:
    if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_SESSION_ID:
        raise InvalidInputError(f"session_id must be a string of 1-{MAX_SESSION_ID} characters")


def _state(db: sqlite3.Connection, session_id: str, customer_id: str) -> SessionState:
    row = db.execute("SELECT customer_id, state FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None or row[0] != customer_id:
        raise NotFoundError(f"no session {session_id!r} for this customer; omit session_id to start one")
    return SessionState.from_json(row[1])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.executescript(_SCHEMA)

    # tokens ---------------------------------------------------------------------------------------------
    def issue_token(self, customer_id: str, *, ttl_seconds: float = 8 * 3600) -> str:
        token = "rf_" + secrets.token_urlsafe(24)
        now = time.time()
        with write_transaction(self.path) as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_digest(token), customer_id, now, now + ttl_seconds))
        return token

    def customer_for(self, token: str | None) -> str:
        if not token:
            raise AuthenticationError("missing bearer token; send 'Authorization: Bearer <token>'")
        if len(token) > 200:
            raise AuthenticationError("invalid or expired bearer token; log in again")
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            row = db.execute("SELECT customer_id, expires FROM tokens WHERE digest = ?", (_digest(token),)).fetchone()
        if row is None or row[1] < time.time():
            raise AuthenticationError("invalid or expired bearer token; log in again")
        return str(row[0])

    # sessions -------------------------------------------------------------------------------------------
    def load(self, session_id: str, customer_id: str) -> SessionState:
        _check_id(session_id)
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            return _state(db, session_id, customer_id)

    @contextlib.contextmanager
    def hold(self, session_id: str, customer_id: str, *, seconds: float = HOLD_SECONDS) -> Iterator[SessionState]:
        """The conversation's state, held for one turn: while it is held, another message to the same
        conversation is refused (ConflictError) instead of acting on the same state twice, say running a
        confirmed action once per copy of a "yes" sent twice."""
        _check_id(session_id)
        now = time.time()
        with write_transaction(self.path) as db:
            state = _state(db, session_id, customer_id)
            db.execute("DELETE FROM holds WHERE session_id = ? AND until < ?", (session_id, now))
            try:
                db.execute("INSERT INTO holds VALUES (?, ?)", (session_id, now + seconds))
            except sqlite3.IntegrityError:
                raise ConflictError("this conversation is still answering an earlier message; wait for that "
                                    "reply, then send this one again") from None
        try:
            yield state
        finally:
            with write_transaction(self.path) as db:
                db.execute("DELETE FROM holds WHERE session_id = ?", (session_id,))

    def new_id(self) -> str:
        return "s_" + secrets.token_urlsafe(12)

    def save_turn(self, *, session_id: str, customer_id: str, state: SessionState, turns: list[Turn],
                  is_new: bool) -> None:
        now = time.time()
        with write_transaction(self.path) as db:
            if is_new:
                db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                           (session_id, customer_id, now, now, state.to_json()))
            else:
                updated = db.execute("UPDATE sessions SET state = ?, updated = ? WHERE id = ? AND customer_id = ?",
                                     (state.to_json(), now, session_id, customer_id)).rowcount
                if updated != 1:
                    raise NotFoundError(f"no session {session_id!r} for this customer")
            (seq,) = db.execute("SELECT coalesce(max(seq), 0) FROM turns WHERE session_id = ?",
                                (session_id,)).fetchone()
            for i, t in enumerate(turns, start=seq + 1):
                db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (session_id, i, t.role, t.text, t.route, t.trace_id, now))

    def last_said(self, session_id: str, customer_id: str) -> str | None:
        """The customer's last message in the conversation (redacted, as kept), or None: one query, for a
        check on every turn, where the whole transcript is not needed."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            _state(db, session_id, customer_id)  # the conversation is this customer's
            row = db.execute("SELECT text FROM turns WHERE session_id = ? AND role = 'customer' ORDER BY seq DESC "
                             "LIMIT 1", (session_id,)).fetchone()
        return None if row is None else str(row[0])

    def continuing(self, customer_id: str, *, assistant: str, customer: str | None) -> str | None:
        """The customer's conversation whose last exchange was `customer` then `assistant` (both as kept,
        redacted), most recently updated first; None if none. An OpenAI client resends the history instead of
        a session id: its last assistant message names the conversation it continues."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            rows = db.execute(
                "SELECT s.id, (SELECT text FROM turns WHERE session_id = s.id AND seq = a.seq - 1) FROM sessions s "
                "JOIN turns a ON a.session_id = s.id AND a.role = 'assistant' "
                "AND a.seq = (SELECT max(seq) FROM turns WHERE session_id = s.id) "
                "WHERE s.customer_id = ? AND a.text = ? ORDER BY s.updated DESC LIMIT 20",
                (customer_id, assistant)).fetchall()
        return next((str(sid) for sid, said in rows if customer is None or said == customer), None)

    def transcript(self, session_id: str, customer_id: str) -> list[Turn]:
        self.load(session_id, customer_id)
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            rows = db.execute("SELECT role, text, route, trace_id FROM turns WHERE session_id = ? ORDER BY seq",
                              (session_id,)).fetchall()
        return [Turn(*r) for r in rows]
