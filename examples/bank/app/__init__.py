"""The bank assistant: Larkspur Bank's customers database, business tools and routes.

`rightfit serve --config examples/bank/rightfit.toml` loads this package ([assistant] app = "app").
"""

from __future__ import annotations

from pathlib import Path

from rightfit.assistant.app import AssistantApp

from .care import urgent
from .db import BankDB
from .disputes import not_made
from .intent_words import refine_intent
from .replies import REPLIES
from .routes import ACTIONS, HandoffFields
from .tools import build_registry

HERE = Path(__file__).resolve().parent


def build(data_dir: Path) -> AssistantApp:
    bank = BankDB(data_dir / "bank.sqlite")
    return AssistantApp(
        name="Larkspur Bank",
        intents_csv=HERE.parent / "intents" / "intents.csv",
        registry=build_registry(bank),
        owners=bank.owners,
        customers=bank.customers,
        actions=ACTIONS,
        answer_intents=frozenset({"policy_question"}),
        handoff_intents=frozenset({"human_handoff", "complaint", "scam"}),
        replies=REPLIES,
        handoff_slots=HandoffFields,
        guard_data=HERE.parent / "guard",
        metadata={"bank_db": bank},
        reset=bank.reset,
        refine_intent=refine_intent,
        urgent=urgent,
        currency="GBP",
        offer_intent="human_handoff",
        offering=frozenset({"crisis", "abuse", "money_worries", "bereavement"}),
        logged=frozenset({"complaint"}),
        topics={"report_lost_card": "lost card", "report_stolen_card": "stolen card",
                "freeze_card": "frozen card", "unfreeze_card": "frozen card", "dispute_transaction": "card dispute",
                "update_address": "change of address", "update_phone_or_email": "change of mobile number or e-mail",
                "complaint": "complaint"},
        undo={"freeze_card": "unfreeze_card", "unfreeze_card": "freeze_card"},
        # A new card goes to the address held: changing it first keeps the card's report waiting; the details
        # held may be looked at while they are being changed ("hang on whats my current one?").
        done_first={"report_lost_card": frozenset({"update_address"}),
                    "report_stolen_card": frozenset({"update_address"}),
                    "update_address": frozenset({"contact_details"}),
                    "update_phone_or_email": frozenset({"contact_details"})},
        no_instead={"dispute_transaction": not_made},
        joint_holders=bank.joint_holders,
        ticket_note_tool="add_to_ticket",
    )
