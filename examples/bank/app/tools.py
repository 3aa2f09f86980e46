"""The bank's business functions. Each takes the ToolContext first: every query is scoped to
`ctx.customer_id` in SQL as well, so even a policy mistake could not read another customer's rows."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field

from rightfit.tools.executor import ToolError
from rightfit.tools.registry import Owned, ToolContext, ToolRegistry

from .categories import PAYEES
from .db import BankDB

AccountId = Annotated[str, Owned("account"), Field(pattern=r"^[A-Za-z]{3}-\d{6}$", max_length=10)]
CardLast4 = Annotated[str, Owned("card"), Field(pattern=r"^\d{4}$")]
TransactionId = Annotated[str, Owned("transaction"), Field(pattern=r"^TX-\d{5}$")]


BIC = "LARKGB2L"  # receiving-money-from-abroad: "our BIC (SWIFT code)"
EXPRESS_FEE_PENCE = 1500  # lost-and-stolen-cards: "Express delivery: £15", free for Premier customers


def iban(sort_code: str, number: str) -> str:
    """The account's IBAN as the documents describe it: GB, two check digits, LARK, the sort code and the account
    number; the check digits by ISO 13616 (mod 97), in groups of four."""
    bban = "LARK" + re.sub(r"\D", "", sort_code) + re.sub(r"\D", "", number)
    digits = "".join(str(int(ch, 36)) for ch in bban + "GB00")
    raw = f"GB{98 - int(digits) % 97:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) / 100:,.2f}"


# A merchant as typed matches its name on the statement without spaces, apostrophes, dots, hyphens, asterisks or
# case: "sainsburys" is "Sainsbury's", "www xbpay" is "WWW.XBPAY"; "marks and spencer" is not "Marks & Spencer"
# (that needs the customer's own merchants list).
_IGNORED = (" ", "'", ".", "-", "*")


def _without_ignored(sql: str) -> str:
    for ch in _IGNORED:
        sql = f"replace({sql}, '{ch * 2 if ch == chr(39) else ch}', '')"  # a quote is doubled inside SQL quotes
    return sql


_MERCHANT_KEY = _without_ignored("lower(t.merchant)")


def _merchant_pattern(merchant: str) -> str:
    key = merchant.lower().replace("\u2019", "")
    for ch in _IGNORED:
        key = key.replace(ch, "")
    return "%" + key.replace("%", "").replace("_", "") + "%"


# How long the link confirming a new e-mail address works (changing-your-personal-details.md).
LINK_VALID = timedelta(hours=24)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_registry(bank: BankDB) -> ToolRegistry:  # noqa: PLR0915  (one closure per tool)
    registry = ToolRegistry()

    def _card(db: Any, ctx: ToolContext, last4: str) -> Any:
        row = db.execute("SELECT * FROM cards WHERE customer_id = ? AND last4 = ?",
                         (ctx.customer_id, last4)).fetchone()
        if row is None:  # unreachable past the policy; kept so a policy bug cannot turn into a cross-customer write
            raise ToolError(f"no card ending {last4} on your profile")
        return row

    def _premier(db: Any, ctx: ToolContext) -> bool:
        """Whether the customer holds a Premier account (express card delivery is free for them)."""
        return db.execute("SELECT 1 FROM accounts a JOIN account_holders h ON h.account_id = a.id "
                          "WHERE h.customer_id = ? AND a.name = 'Premier Account'", (ctx.customer_id,)).fetchone() \
            is not None

    def _charge(db: Any, account_id: str, what: str, pence: int) -> None:
        """A fee taken from the account today: a line on its statement and a lower balance."""
        last = db.execute("SELECT max(CAST(substr(id, 4) AS INTEGER)) FROM transactions").fetchone()[0] or 0
        db.execute("INSERT INTO transactions VALUES (?, ?, NULL, ?, ?, ?)",
                   (f"TX-{last + 1:05d}", account_id, date.today().isoformat(), what, -pence))
        db.execute("UPDATE accounts SET balance_pence = balance_pence - ? WHERE id = ?", (pence, account_id))

    def _accounts(ctx: ToolContext, account_id: str | None, kind: str | None) -> list[Any]:
        sql = "SELECT a.* FROM accounts a JOIN account_holders h ON h.account_id = a.id WHERE h.customer_id = ?"
        params: list[Any] = [ctx.customer_id]
        if account_id is not None:
            sql += " AND a.id = ?"
            params.append(account_id.upper())
        if kind is not None:
            sql += " AND a.kind = ?"
            params.append(kind)
        with bank.read() as db:
            return db.execute(sql + " ORDER BY a.id", params).fetchall()

    def get_balance(ctx: ToolContext, account_id: AccountId | None = None,
                    kind: Literal["current", "savings"] | None = None) -> dict[str, Any]:
        """Balances of the customer's accounts, or of one account.

        Args:
            account_id: One account (ACC- and six digits); omit for all of the customer's accounts.
            kind: Only the customer's current or savings accounts.
        """
        return {"accounts": [{"account_id": r["id"], "name": r["name"], "balance": _money(r["balance_pence"])}
                             for r in _accounts(ctx, account_id, kind)]}

    def recent_transactions(ctx: ToolContext, account_id: AccountId | None = None,
                            limit: Annotated[int, Field(ge=1, le=20)] = 5,
                            merchant: Annotated[str | None, Field(max_length=80)] = None, *,
                            since: date | None = None, until: date | None = None,
                            kind: Literal["current", "savings"] | None = None,
                            min_amount: Annotated[float | None, Field(ge=0, le=1e9)] = None,
                            max_amount: Annotated[float | None, Field(ge=0, le=1e9)] = None,
                            direction: Literal["in", "out"] | None = None,
                            order: Literal["newest", "largest", "smallest"] = "newest",
                            card_last4: CardLast4 | None = None,
                            card_kind: Literal["debit", "credit"] | None = None,
                            holder: Annotated[str | None, Field(max_length=40, pattern=r"^[^\W\d_][\w' -]*$")] = None,
                            mine: bool = False,
                            category: Annotated[str | None, Field(max_length=40)] = None) -> dict[str, Any]:
        """The customer's transactions, newest first or by amount.

        Args:
            account_id: Only this account; omit for all of the customer's accounts.
            limit: How many transactions (1-20).
            merchant: Only transactions whose merchant contains this text.
            since: Only transactions posted on or after this day.
            until: Only transactions posted on or before this day.
            kind: Only the customer's current or savings accounts.
            min_amount: Only amounts of at least this many pounds, in or out.
            max_amount: Only amounts of at most this many pounds, in or out.
            direction: Only money out of the accounts, or only money into them.
            order: Newest first, or the largest or smallest amounts (in or out) first.
            card_last4: Only payments made with this card of the customer's.
            card_kind: Only payments made with the customer's debit or credit cards.
            holder: Only payments made with the cards of this holder of a joint account (their first name).
            mine: Only payments made with the customer's own cards (not a joint holder's, nor transfers).
            category: Only payments to payees of this spending category (fuel, trains, groceries, ...).
        """
        # The card each payment was made with: the caller's own by its digits, a joint holder's by their name.
        sql = ("SELECT t.id, t.posted, t.merchant, t.amount_pence, a.name, c.last4, c.kind AS card_kind, "
               "c.customer_id AS card_holder, "
               "cu.name AS holder_name FROM transactions t "
               "JOIN accounts a ON a.id = t.account_id JOIN account_holders h ON h.account_id = t.account_id "
               "LEFT JOIN cards c ON c.id = t.card_id LEFT JOIN customers cu ON cu.id = c.customer_id "
               "WHERE h.customer_id = ?")
        params: list[Any] = [ctx.customer_id]
        if account_id is not None:
            sql += " AND t.account_id = ?"
            params.append(account_id.upper())
        if kind is not None:
            sql += " AND a.kind = ?"
            params.append(kind)
        if merchant:
            sql += f" AND {_MERCHANT_KEY} LIKE ?"
            params.append(_merchant_pattern(merchant))
        if category is not None:
            if category not in PAYEES:
                raise ToolError(f"no spending category {category!r}; the categories are {', '.join(PAYEES)}")
            # A payee of the category's starts the merchant's name or one of its words.
            sql += " AND (" + " OR ".join(["lower(t.merchant) LIKE ? OR lower(t.merchant) LIKE ?"]
                                          * len(PAYEES[category])) + ")"
            params += [p for payee in PAYEES[category] for p in (f"{payee}%", f"% {payee}%")]
        if since is not None:
            sql += " AND t.posted >= ?"
            params.append(since.isoformat())
        if until is not None:
            sql += " AND t.posted <= ?"
            params.append(until.isoformat())
        if min_amount is not None:
            sql += " AND abs(t.amount_pence) >= ?"
            params.append(round(min_amount * 100))
        if max_amount is not None:
            sql += " AND abs(t.amount_pence) <= ?"
            params.append(round(max_amount * 100))
        if direction is not None:
            sql += " AND t.amount_pence < 0" if direction == "out" else " AND t.amount_pence > 0"
        # By card: the transactions carry the card they were made with (none for transfers and salary).
        if card_last4 is not None:
            sql += " AND t.card_id IN (SELECT id FROM cards WHERE customer_id = ? AND last4 = ?)"
            params += [ctx.customer_id, card_last4]
        if card_kind is not None:
            sql += " AND t.card_id IN (SELECT id FROM cards WHERE customer_id = ? AND kind = ?)"
            params += [ctx.customer_id, card_kind]
        if mine:
            sql += " AND t.card_id IN (SELECT id FROM cards WHERE customer_id = ?)"
            params.append(ctx.customer_id)
        if holder is not None:  # the rows stay those of the caller's own accounts (the join above)
            sql += (" AND t.card_id IN (SELECT c.id FROM cards c JOIN customers cu ON cu.id = c.customer_id "
                    "WHERE lower(cu.name) = lower(?) OR lower(cu.name) LIKE lower(?) || ' %')")
            params += [holder.strip(), holder.strip()]
        by_amount = {"largest": "abs(t.amount_pence) DESC, ", "smallest": "abs(t.amount_pence) ASC, "}
        sql += f" ORDER BY {by_amount.get(order, '')}t.posted DESC, t.id DESC LIMIT ?"
        params.append(limit)
        with bank.read() as db:
            rows = db.execute(sql, params).fetchall()
            # Nothing in the period asked about: the day of the latest transaction says whether that is news.
            latest = None if rows else db.execute(
                "SELECT max(t.posted) FROM transactions t JOIN account_holders h ON h.account_id = t.account_id "
                "WHERE h.customer_id = ?", (ctx.customer_id,)).fetchone()[0]
        found = [{"transaction_id": r["id"], "date": r["posted"], "merchant": r["merchant"],
                  "amount": _money(r["amount_pence"]), "account": r["name"],
                  **({"card": r["last4"], "card_kind": r["card_kind"]} if r["card_holder"] == ctx.customer_id else {}),
                  **({"holder": str(r["holder_name"]).split()[0]}
                     if r["card_holder"] not in (None, ctx.customer_id) else {})} for r in rows]
        return {"transactions": found, **({"latest": latest} if latest else {})}

    def find_transactions(ctx: ToolContext, merchant: Annotated[str | None, Field(max_length=80)] = None,
                          amount: Annotated[float | None, Field(gt=0, le=1e9)] = None,
                          on_date: date | None = None) -> dict[str, Any]:
        """Card payments out of the customer's accounts matching a merchant, an amount and/or a date, with the
        customer's own card each was made with.

        Args:
            merchant: Text the merchant name contains.
            amount: The amount in pounds.
            on_date: The day it was posted (within two days).
        """
        sql = ("SELECT t.id, t.posted, t.merchant, t.amount_pence, (SELECT d.id FROM disputes d WHERE "
               "d.transaction_id = t.id) AS dispute_id, c.last4, c.kind FROM transactions t JOIN account_holders h "
               "ON h.account_id = t.account_id LEFT JOIN cards c ON c.id = t.card_id AND c.customer_id = h.customer_id "
               "WHERE h.customer_id = ? AND t.amount_pence < 0")
        params: list[Any] = [ctx.customer_id]
        if merchant:
            sql += f" AND {_MERCHANT_KEY} LIKE ?"
            params.append(_merchant_pattern(merchant))
        if amount is not None:
            sql += " AND t.amount_pence = ?"
            params.append(-round(amount * 100))
        if on_date is not None:
            sql += " AND abs(julianday(t.posted) - julianday(?)) <= 2"
            params.append(on_date.isoformat())
        with bank.read() as db:
            rows = db.execute(sql + " ORDER BY t.posted DESC LIMIT 10", params).fetchall()
        return {"transactions": [{"transaction_id": r["id"], "date": r["posted"], "merchant": r["merchant"],
                                  "amount": _money(r["amount_pence"]), "dispute_id": r["dispute_id"],
                                  **({"card": r["last4"], "card_kind": r["kind"]} if r["last4"] else {})}
                                 for r in rows]}

    def freeze_card(ctx: ToolContext, card_last4: CardLast4) -> dict[str, Any]:
        """Freeze a card so no payment goes through until it is unfrozen.

        Args:
            card_last4: The last four digits of the card.
        """
        with bank.write() as db:
            card = _card(db, ctx, card_last4)
            if card["status"] != "active":
                raise ToolError(f"the card ending {card_last4} is already {card['status']}")
            db.execute("UPDATE cards SET status = 'frozen' WHERE id = ? AND customer_id = ?",
                       (card["id"], ctx.customer_id))
        return {"card": card_last4, "status": "frozen"}

    def unfreeze_card(ctx: ToolContext, card_last4: CardLast4) -> dict[str, Any]:
        """Unfreeze a frozen card.

        Args:
            card_last4: The last four digits of the card.
        """
        with bank.write() as db:
            card = _card(db, ctx, card_last4)
            if card["status"] != "frozen":
                hint = "; lost or stolen cards are replaced, not unfrozen" if card["status"] != "active" else ""
                raise ToolError(f"the card ending {card_last4} is {card['status']}, not frozen{hint}")
            db.execute("UPDATE cards SET status = 'active' WHERE id = ? AND customer_id = ?",
                       (card["id"], ctx.customer_id))
        return {"card": card_last4, "status": "active"}

    def report_card(ctx: ToolContext, card_last4: CardLast4, reason: Literal["lost", "stolen"],
                    delivery: Literal["standard", "express"] = "standard") -> dict[str, Any]:
        """Report a card lost or stolen: it is blocked for good and a replacement is sent.

        Args:
            card_last4: The last four digits of the card.
            reason: lost or stolen.
            delivery: standard (free, 3-5 working days) or express (next working day if ordered before 2pm on a
                working day; the fee is taken from the card's account, free for Premier customers).
        """
        with bank.write() as db:
            card = _card(db, ctx, card_last4)
            if card["status"] in ("lost", "stolen"):
                raise ToolError(f"the card ending {card_last4} was already reported {card['status']}")
            db.execute("UPDATE cards SET status = ?, replacement_ordered = 1 WHERE id = ? AND customer_id = ?",
                       (reason, card["id"], ctx.customer_id))
            if delivery == "standard":
                return {"card": card_last4, "status": reason, "replacement": "ordered, arrives in 3-5 working days"}
            fee = 0 if _premier(db, ctx) else EXPRESS_FEE_PENCE
            if fee:
                _charge(db, card["account_id"], "Express card delivery", fee)
        return {"card": card_last4, "status": reason, "delivery": "express",
                "replacement": "ordered by express delivery: it arrives the next working day if ordered before 2pm "
                               "on a working day", "fee": _money(fee) if fee else "free for Premier customers"}

    def open_dispute(ctx: ToolContext, transaction_id: TransactionId,
                     reason: Annotated[str, Field(min_length=1, max_length=500)]) -> dict[str, Any]:
        """Open a dispute (chargeback claim) on one of the customer's card payments.

        Args:
            transaction_id: The transaction (TX- and five digits).
            reason: Why the customer disputes it, in their words.
        """
        with bank.write() as db:
            tx = db.execute("SELECT t.id, t.merchant, t.amount_pence, t.posted FROM transactions t "
                            "JOIN account_holders h ON h.account_id = t.account_id "
                            "WHERE t.id = ? AND h.customer_id = ?",
                            (transaction_id, ctx.customer_id)).fetchone()
            if tx is None:
                raise ToolError(f"no transaction {transaction_id} on your accounts")
            open_ = db.execute("SELECT id FROM disputes WHERE transaction_id = ?", (transaction_id,)).fetchone()
            if open_:
                raise ToolError(f"dispute {open_['id']} is already open for the payment of "
                                f"{_money(tx['amount_pence']).lstrip('-')} to {tx['merchant']}")
            dispute_id = "DSP-" + secrets.token_hex(3).upper()
            db.execute("INSERT INTO disputes (id, customer_id, transaction_id, reason, created) VALUES (?, ?, ?, ?, ?)",
                       (dispute_id, ctx.customer_id, transaction_id, reason, _now()))
        return {"dispute_id": dispute_id, "transaction_id": transaction_id, "merchant": tx["merchant"],
                "amount": _money(tx["amount_pence"]), "date": tx["posted"], "status": "open"}

    def update_address(ctx: ToolContext, address: Annotated[str, Field(min_length=5, max_length=200)],
                       postcode: Annotated[str, Field(pattern=r"^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$")]
                       ) -> dict[str, Any]:
        """Change the customer's postal address.

        Args:
            address: Street address and town.
            postcode: UK postcode.
        """
        with bank.write() as db:
            db.execute("UPDATE customers SET address = ?, postcode = ? WHERE id = ?",
                       (address.strip(), postcode.upper().strip(), ctx.customer_id))
        return {"updated": ["address"]}

    def update_contact(ctx: ToolContext,
                       phone: Annotated[str | None, Field(pattern=r"^\+?[\d ]{10,16}$")] = None,
                       email: Annotated[str | None, Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,200}\.[A-Za-z]{2,}$")]
                       = None) -> dict[str, Any]:
        """Change the customer's mobile number, and/or send a link to a new e-mail address that changes it when
        clicked.

        Args:
            phone: New phone number.
            email: New e-mail address.
        """
        if phone is None and email is None:
            raise ToolError("give a new phone number or e-mail address")
        changed, sent = [], {}
        with bank.write() as db:
            if phone is not None:
                db.execute("UPDATE customers SET phone = ? WHERE id = ?", (phone, ctx.customer_id))
                changed.append("phone")
            if email is not None:  # changed when the customer clicks the link; a newer request replaces it
                expires = (datetime.now(UTC) + LINK_VALID).isoformat(timespec="seconds")
                db.execute("INSERT OR REPLACE INTO email_changes VALUES (?, ?, ?)", (ctx.customer_id, email, expires))
                sent = {"link_sent_to": email, "link_expires": expires}
        return {"updated": changed, **sent}

    def create_ticket(ctx: ToolContext, session_id: Annotated[str, Field(max_length=64)],
                      intent: Annotated[str, Field(max_length=40)],
                      summary: Annotated[str, Field(max_length=2000)],
                      fields: dict[str, str]) -> dict[str, Any]:
        """Hand the conversation to a person: a ticket with a summary and the details collected so far.

        Args:
            session_id: The conversation.
            intent: What the customer wants.
            summary: A short summary for the agent.
            fields: Details collected so far.
        """
        ticket_id = "TKT-" + secrets.token_hex(3).upper()
        with bank.write() as db:
            db.execute("INSERT INTO tickets (id, customer_id, session_id, intent, summary, fields, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (ticket_id, ctx.customer_id, session_id, intent, summary,
                        json.dumps(fields, ensure_ascii=False), _now()))
        return {"ticket_id": ticket_id}

    def add_to_ticket(ctx: ToolContext, ticket_id: Annotated[str, Field(pattern=r"^TKT-[0-9A-F]{6}$")],
                      note: Annotated[str, Field(min_length=1, max_length=1000)]) -> dict[str, Any]:
        """Add what the customer said after the hand-off to their ticket.

        Args:
            ticket_id: The ticket, TKT- and six characters.
            note: The customer's words.
        """
        with bank.write() as db:
            row = db.execute("SELECT summary FROM tickets WHERE id = ? AND customer_id = ?",
                             (ticket_id, ctx.customer_id)).fetchone()
            if row is None:
                raise ToolError(f"no ticket {ticket_id} of yours")
            summary = f"{row['summary']} / then: \"{note}\""[-8000:]
            db.execute("UPDATE tickets SET summary = ? WHERE id = ? AND customer_id = ?",
                       (summary, ticket_id, ctx.customer_id))
        return {"ticket_id": ticket_id}

    def customer_cards(ctx: ToolContext) -> dict[str, Any]:
        """The customer's cards: last four digits, kind, status, whether a replacement was ordered, and the name of
        the account each is on."""
        with bank.read() as db:
            rows = db.execute("SELECT c.last4, c.kind, c.status, c.replacement_ordered, a.name AS account "
                              "FROM cards c JOIN accounts a "
                              "ON a.id = c.account_id WHERE c.customer_id = ? ORDER BY c.id",
                              (ctx.customer_id,)).fetchall()
        return {"cards": [dict(r) for r in rows]}

    def account_details(ctx: ToolContext, account_id: AccountId | None = None,
                        kind: Literal["current", "savings"] | None = None,
                        international: bool = False) -> dict[str, Any]:
        """Sort code and account number of the customer's accounts, or of one account.

        Args:
            account_id: One account (ACC- and six digits); omit for all of the customer's accounts.
            kind: Only the customer's current or savings accounts.
            international: Also each account's IBAN and the bank's BIC, for payments from abroad.
        """
        return {"accounts": [{"account_id": r["id"], "name": r["name"], "sort_code": r["sort_code"],
                              "account_number": r["number"],
                              **({"iban": iban(r["sort_code"], r["number"]), "bic": BIC} if international else {})}
                             for r in _accounts(ctx, account_id, kind)]}

    def contact_details(ctx: ToolContext) -> dict[str, Any]:
        """The customer's postal address, mobile number and e-mail address as we hold them, and a new e-mail
        address waiting for its link to be clicked."""
        with bank.read() as db:
            row = db.execute("SELECT phone, email, address, postcode FROM customers WHERE id = ?",
                             (ctx.customer_id,)).fetchone()
            waiting = db.execute("SELECT email FROM email_changes WHERE customer_id = ? AND expires > ?",
                                 (ctx.customer_id, _now())).fetchone()
        if row is None:
            return {}
        held = {k: row[k] for k in ("address", "postcode", "phone", "email")}
        return {**held, "email_waiting": waiting["email"]} if waiting else held

    def joint_holders(ctx: ToolContext) -> dict[str, Any]:
        """The names of the others who hold an account jointly with the customer."""
        return {"names": bank.joint_holders(ctx.customer_id)}

    def customer_merchants(ctx: ToolContext) -> dict[str, Any]:
        """The distinct merchant names on the customer's accounts."""
        with bank.read() as db:
            rows = db.execute("SELECT DISTINCT t.merchant FROM transactions t JOIN account_holders h "
                              "ON h.account_id = t.account_id WHERE h.customer_id = ? ORDER BY t.merchant",
                              (ctx.customer_id,)).fetchall()
        return {"merchants": [r["merchant"] for r in rows]}

    reads: tuple[Callable[..., dict[str, Any]], ...] = (get_balance, account_details, recent_transactions,
                                                         find_transactions, create_ticket, add_to_ticket,
                                                         customer_cards,
                                                         customer_merchants, contact_details, joint_holders)
    for fn in reads:
        registry.add(fn)
    for fn in (freeze_card, unfreeze_card, report_card, open_dispute, update_address, update_contact):
        registry.add(fn, mutates=True)
    return registry
