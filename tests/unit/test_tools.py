"""Tool registry, ownership policy, audit log and executor, over the bank example's real SQLite database."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import pytest

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.tools.audit import AuditLog
from rightfit.tools.executor import ToolExecutor
from rightfit.tools.policy import OwnershipPolicy
from rightfit.tools.registry import Owned, ToolContext, ToolRegistry, build_spec

BANK = Path(__file__).resolve().parents[2] / "examples" / "bank"
sys.path.insert(0, str(BANK))

from app.db import BankDB  # noqa: E402
from app.tools import build_registry  # noqa: E402


@pytest.fixture
def bank(tmp_path: Path) -> BankDB:
    return BankDB(tmp_path / "bank.sqlite")


@pytest.fixture
def executor(bank: BankDB, tmp_path: Path) -> ToolExecutor:
    return ToolExecutor(registry=build_registry(bank), policy=OwnershipPolicy(bank.owners),
                        audit=AuditLog(tmp_path / "audit.sqlite"))


def _status(bank: BankDB, last4: str, customer: str) -> str:
    with bank.read() as db:
        row = db.execute("SELECT status FROM cards WHERE last4 = ? AND customer_id = ?", (last4, customer))
        return row.fetchone()[0]


def test_schema_comes_from_signature_and_docstring() -> None:
    def move(ctx: ToolContext, account_id: Annotated[str, Owned("account")], amount: float = 1.0) -> dict:
        """Move money.

        Args:
            account_id: Where from.
            amount: How much.
        """
        return {}

    spec = build_spec(move, mutates=True)
    fn = spec.json_schema()["function"]
    assert fn["description"] == "Move money."
    assert fn["parameters"]["required"] == ["account_id"]
    assert fn["parameters"]["properties"]["account_id"]["description"] == "Where from."
    assert "ctx" not in fn["parameters"]["properties"]  # the caller's identity is never an argument
    assert spec.owned == {"account_id": "account"}
    with pytest.raises(InvalidInputError, match="amount"):
        spec.validate({"account_id": "ACC-1", "amount": "lots"})
    with pytest.raises(InvalidInputError, match="customer_id"):
        spec.validate({"account_id": "ACC-1", "customer_id": "C002"})  # extra arguments are refused


def test_tool_without_context_or_docstring_is_a_config_error() -> None:
    def no_ctx(card: str) -> None:
        """Doc."""

    def no_doc(ctx: ToolContext) -> None:
        pass

    with pytest.raises(ConfigError, match="ToolContext"):
        ToolRegistry().add(no_ctx)
    with pytest.raises(ConfigError, match="docstring"):
        ToolRegistry().add(no_doc)

    def stale_doc(ctx: ToolContext, card: str) -> None:
        """Freeze a card.

        Args:
            card: Last four digits.
            reason: Why.
        """

    with pytest.raises(ConfigError, match="describes reason, which it does not take"):
        ToolRegistry().add(stale_doc)


def test_owned_marker_inside_optional_is_enforced(executor: ToolExecutor) -> None:
    alice = ToolContext("C001", "t")
    mine = executor.run(ctx=alice, tool="get_balance", arguments={"account_id": "ACC-104233"})
    theirs = executor.run(ctx=alice, tool="get_balance", arguments={"account_id": "ACC-200311"})
    assert mine.status == "ok" and mine.result["accounts"][0]["balance"] == "£1,842.50"
    assert theirs.status == "denied" and theirs.result is None


def test_joint_account_is_readable_by_both_holders(executor: ToolExecutor) -> None:
    for customer in ("C003", "C004"):
        out = executor.run(ctx=ToolContext(customer), tool="get_balance", arguments={"account_id": "ACC-300742"})
        assert out.status == "ok", customer


def test_state_change_needs_confirmation_then_happens(executor: ToolExecutor, bank: BankDB) -> None:
    alice = ToolContext("C001", "t1")
    first = executor.run(ctx=alice, tool="freeze_card", arguments={"card_last4": "8120"})
    assert first.status == "needs_confirmation"
    assert _status(bank, "8120", "C001") == "active"
    done = executor.run(ctx=alice, tool="freeze_card", arguments={"card_last4": "8120"}, confirmed=True)
    assert done.status == "ok"
    assert _status(bank, "8120", "C001") == "frozen"
    assert _status(bank, "8120", "C006") == "active"  # Farid's card has the same last four; untouched


def test_other_customers_card_is_denied_even_confirmed(executor: ToolExecutor, bank: BankDB) -> None:
    out = executor.run(ctx=ToolContext("C001", "t2"), tool="freeze_card", arguments={"card_last4": "5531"},
                       confirmed=True)
    assert out.status == "denied"
    assert _status(bank, "5531", "C002") == "active"
    denied = executor.audit.entries(decision="denied")
    assert [(e.customer_id, e.tool, e.arguments, e.trace_id) for e in denied] == [
        ("C001", "freeze_card", {"card_last4": "5531"}, "t2")]


def test_business_refusal_is_reported_and_changes_nothing(executor: ToolExecutor, bank: BankDB) -> None:
    out = executor.run(ctx=ToolContext("C001"), tool="unfreeze_card", arguments={"card_last4": "8120"},
                       confirmed=True)
    assert out.status == "error" and "not frozen" in out.message
    assert _status(bank, "8120", "C001") == "active"


def test_invalid_arguments_are_audited_and_nothing_runs(executor: ToolExecutor) -> None:
    out = executor.run(ctx=ToolContext("C001"), tool="recent_transactions", arguments={"limit": 10_000})
    assert out.status == "invalid" and "limit" in out.message
    assert executor.audit.entries()[-1].decision == "invalid"
    unknown = executor.run(ctx=ToolContext("C001"), tool="transfer_all_money", arguments={})
    assert unknown.status == "invalid" and "unknown tool" in unknown.message


def test_audit_log_is_append_only_and_tamper_evident(executor: ToolExecutor, tmp_path: Path) -> None:
    for last4 in ("8120", "4417", "5531"):
        executor.run(ctx=ToolContext("C001"), tool="freeze_card", arguments={"card_last4": last4})
    assert executor.audit.verify() is None
    db = sqlite3.connect(tmp_path / "audit.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET decision = 'allowed' WHERE decision = 'denied'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET customer_id = 'C002' WHERE seq = 2")
    db.commit()
    assert executor.audit.verify() == 2


def test_queries_stay_scoped_to_the_caller(executor: ToolExecutor) -> None:
    rows = executor.run(ctx=ToolContext("C001"), tool="recent_transactions", arguments={"limit": 20}).result
    accounts = {t["account"] for t in rows["transactions"]}
    assert accounts <= {"Everyday Account", "Easy Saver"}
    found = executor.run(ctx=ToolContext("C001"), tool="find_transactions", arguments={"merchant": "SP DIGITAL"})
    assert found.result["transactions"] == []  # Ben's payment; Alice cannot find it
    # Each row names the caller's card it was made with; a joint holder's card by its holder, not its digits.
    assert {t.get("card") for t in rows["transactions"]} <= {"8120", "4417", None}
    joint = executor.run(ctx=ToolContext("C004"), tool="recent_transactions", arguments={"limit": 20}).result
    assert {t.get("holder") for t in joint["transactions"]} == {"Chloe", None}
    assert not any(t.get("card") == "2208" for t in joint["transactions"])


def test_a_spending_category_is_its_payees_and_an_unknown_one_an_error(executor: ToolExecutor) -> None:
    fuel = executor.run(ctx=ToolContext("C002"), tool="recent_transactions",
                        arguments={"category": "fuel", "limit": 20}).result
    assert fuel["transactions"] and {t["merchant"] for t in fuel["transactions"]} == {"Shell"}
    unknown = executor.run(ctx=ToolContext("C002"), tool="recent_transactions", arguments={"category": "yachts"})
    assert unknown.status == "error" and "fuel" in unknown.message


def test_seeded_database_is_created_atomically(tmp_path: Path) -> None:
    path = tmp_path / "bank.sqlite"
    BankDB(path)
    assert [p.name for p in tmp_path.iterdir()] == ["bank.sqlite"]  # no temporary file left behind
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == 6


def test_an_empty_database_file_is_seeded_and_a_foreign_one_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty" / "bank.sqlite"
    empty.parent.mkdir()
    empty.touch()  # what `sqlite3 bank.sqlite` leaves behind when it only looked
    BankDB(empty)
    with sqlite3.connect(empty) as db:
        assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == 8
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(ConfigError, match="not the bank's database .*move it away"):
        BankDB(other)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="not a SQLite database"):
        BankDB(garbage)
    assert garbage.read_bytes() == b"not a database at all" * 100  # refused, not overwritten
