"""Conversations held for one turn at a time: a second message to a busy conversation is refused, and a
hold left behind by a crashed process expires."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.assistant.sessions import SessionState, SessionStore, Turn
from rightfit.core.errors import ConflictError, NotFoundError


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    s = SessionStore(tmp_path / "assistant.sqlite")
    s.save_turn(session_id="s_1", customer_id="C001", state=SessionState(pending={"tool": "freeze_card"}),
                turns=[Turn("customer", "freeze my card", "confirm", "t")], is_new=True)
    return s


def test_a_held_conversation_refuses_a_second_turn_until_released(store: SessionStore) -> None:
    with store.hold("s_1", "C001") as state:
        assert state.pending == {"tool": "freeze_card"}
        with pytest.raises(ConflictError, match="still answering"), store.hold("s_1", "C001"):
            pass
    with store.hold("s_1", "C001") as again:  # released when the first turn ended
        assert again.pending == {"tool": "freeze_card"}


def test_a_failed_turn_releases_its_hold(store: SessionStore) -> None:
    with pytest.raises(RuntimeError), store.hold("s_1", "C001"):
        raise RuntimeError("the tool failed")
    with store.hold("s_1", "C001"):
        pass


def test_an_expired_hold_is_taken_over(store: SessionStore) -> None:
    with store.hold("s_1", "C001", seconds=-1.0), store.hold("s_1", "C001") as state:
        assert state.pending is not None


def test_holding_someone_elses_conversation_is_not_found(store: SessionStore) -> None:
    with pytest.raises(NotFoundError), store.hold("s_1", "C002"):
        pass
    with pytest.raises(NotFoundError), store.hold("s_unknown", "C001"):
        pass


def test_the_last_thing_the_customer_said_and_only_to_them(store: SessionStore) -> None:
    store.save_turn(session_id="s_1", customer_id="C001", state=SessionState(),
                    turns=[Turn("assistant", "Freeze your card ending 8120?", "confirm", "t"),
                           Turn("customer", "no, the credit one", "confirm", "t2"),
                           Turn("assistant", "Freeze your card ending 4417?", "confirm", "t2")], is_new=False)
    assert store.last_said("s_1", "C001") == "no, the credit one"
    with pytest.raises(NotFoundError):
        store.last_said("s_1", "C002")


def test_what_a_follow_up_needs_survives_being_stored(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "assistant.sqlite")
    state = SessionState(topic="how long do you keep my data", quoted=("privacy:10-90",), page="Privacy")
    store.save_turn(session_id="s_2", customer_id="C001", state=state,
                    turns=[Turn("customer", "how long do you keep my data", "answer", "t")], is_new=True)
    with store.hold("s_2", "C001") as again:
        assert again == state
    # A conversation stored before these fields existed reads as having none.
    assert SessionState.from_json('{"topic": "fees"}') == SessionState(topic="fees")
