"""Scripted conversations with the bank assistant over the real stack about a change waiting for its yes and
just made: yes and no in customers' own words, corrections, changes of mind, another look first, and what is
asked of a change right after it."""

from __future__ import annotations

import pytest

from tests.integration.chatting import Conversation, bank_db, card_status

pytestmark = pytest.mark.integration


def test_how_people_say_yes_no_and_wait_to_a_waiting_change(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    c.say("freeze card")
    c.say("4417")
    assert c.say("go on then").tool.status == "ok"  # it was answered from the documents, the freeze dropped
    assert card_status(assistant_settings, "C001", "4417") == "frozen"
    # "wait" opening a question holds the change; it does not call it off.
    c = Conversation(assistant)
    c.say("freeze my debit card for me")
    held = c.say("wait does freezing it stop my direct debits?")
    assert "doesn't stop direct debits" in held.reply and "still waiting" in held.reply
    assert c.say("ok yes freeze it").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "frozen"
    # Saying back the question's own verb is a yes to it, not a request for another action.
    c = Conversation(assistant, customer="C005")
    c.say("lost my card")
    block = c.say("fine, yes block it")  # it was turned into a freeze of the same card
    assert block.intent == "report_lost_card" and block.tool.status == "ok"
    # A yes right after a no asks again; it does not act on the no'd change at once, nor answer from the documents.
    c = Conversation(assistant, customer="C002")
    c.say("report my card lost")
    assert c.say("no").route == "cancelled"
    again = c.say("actually yes do it")
    assert again.route == "confirm" and "5531" in again.reply
    assert card_status(assistant_settings, "C002", "5531") == "active"
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C002", "5531") == "lost"
    # Only right after: a yes once something else was said has nothing waiting for it.
    c = Conversation(assistant, customer="C006")
    c.say("freeze my everyday card")
    c.say("no")
    c.say("what's my balance?")
    assert c.say("yes").intent == "yes" and card_status(assistant_settings, "C006", "9042") == "active"


def test_a_look_at_another_account_while_a_card_change_waits_is_no_correction(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    # The premier card was reported lost instead of the everyday one: the balance asked for was read as the card.
    c = Conversation(assistant, customer="C006")
    assert "9042" in c.say("i've lost my everyday card").reply
    aside = c.say("is my premier account ok? how much is in it")
    assert "£19,045.60" in aside.reply and aside.reply.endswith("9042 as lost? Reply yes to go ahead or no to cancel.")
    c.say("yes please")
    assert card_status(assistant_settings, "C006", "9042") == "lost"
    assert card_status(assistant_settings, "C006", "8120") == "active"
    c = Conversation(assistant)
    c.say("freeze my debit card")
    spent = c.say("wait, what did i spend on my credit card last week?")
    assert spent.tool.tool == "recent_transactions" and spent.reply.endswith("Freeze your card ending 8120? Reply "
                                                                             "yes to go ahead or no to cancel.")
    assert c.say("no, the credit one").reply.startswith("Freeze your card ending 4417?")  # a correction still is


def test_another_action_asked_for_with_the_yes_or_no_replaces_the_waiting_one(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    not_made = c.say("there's a charge from WWW.XBPAY for £23.50 I didn't make")
    # The bank's rule: a payment the customer didn't make is for the fraud team, said before the dispute.
    assert not_made.route == "confirm" and not_made.reply.index("0808 157 0247") < not_made.reply.index("Open a")
    block = c.say("ok block my card then")  # not a yes to the dispute
    assert block.intent == "freeze_card" and block.route == "ask"
    c.say("the debit one")
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "frozen"
    c = Conversation(assistant)
    c.say("dispute the XBPAY payment")
    stolen = c.say("no, report my card stolen instead")
    assert stolen.intent == "report_stolen_card" and stolen.route == "ask"
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM disputes").fetchone()[0] == 0  # neither dispute was opened
    other = Conversation(assistant)
    other.say("freeze my credit card")
    assert "8120" in other.say("no wait the other one").reply


def test_a_yes_naming_another_card_after_a_no_is_for_that_card(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("can u freeze one of the cards")
    c.say("4417")
    c.say("no")
    other = c.say("ok the debit then")  # it asked again about the credit card just declined
    assert other.route == "confirm" and "8120" in other.reply and "4417" not in other.reply


def test_a_change_of_mind_right_after_an_action_or_a_refusal_is_understood(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant, customer="C004")
    c.say("freeze my card")
    c.say("yes")
    back = c.say("actually no, cancel that")  # was "OK. I'm here if you need anything else.", still frozen
    assert back.route == "confirm" and back.intent == "unfreeze_card" and "7764" in back.reply
    c.say("yes")
    assert card_status(assistant_settings, "C004", "7764") == "active"
    read = Conversation(assistant)
    read.say("whats my balance")
    assert read.say("cancel that").intent != "undo"  # after a read there is nothing to take back
    c = Conversation(assistant)
    c.say("freeze my credit card")
    c.say("yes")
    c = Conversation(assistant)
    assert "8120 can't be unfrozen" in c.say("unfreeze the one ending 8120").reply
    meant = c.say("no sorry i meant 4417")  # "I can't find that in our policies"
    assert meant.route == "confirm" and "Unfreeze your card ending 4417?" in meant.reply


def test_ways_of_saying_yes_or_no_found_in_exploring(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C005")
    c.say("change my address to 4 Hill Road, Leeds LS6 1AA")
    assert c.say("actually dont, im not moving til january").route == "cancelled"  # "I can't find that ..."
    c = Conversation(assistant, customer="C002")
    c.say("freeze my card pls")
    assert c.say("actually no dont").route == "cancelled"
    assert c.say("wait yes do it").reply.startswith("OK. Freeze your card ending 5531?")  # asked again
    c.say("yes")
    c.say("unfreeze my card")
    assert c.say("hmm actually leave it frozen for now").route == "cancelled"
    assert card_status(assistant_settings, "C002", "5531") == "frozen"
    # Moved on from a stolen card's report to a look at the payments: "right, go ahead" asks for it again.
    c = Conversation(assistant)
    c.say("my debit card's been nicked")
    assert c.say("how much did i spend on it yesterday").tool.tool == "recent_transactions"
    again = c.say("right, go ahead")  # "I can't find that in our policies", and the card left active
    assert again.route == "confirm" and "8120 as stolen?" in again.reply
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "stolen"


def test_express_asked_for_after_the_report_is_about_the_new_card(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C005")
    c.say("i lost my card")
    c.say("yes")
    express = c.say("can you send it express")  # "Your debit card ending 3390 can't be blocked: it is lost."
    assert "already been ordered" in express.reply and "can't be blocked" not in express.reply


def test_a_question_naming_another_card_while_a_freeze_waits_is_asked_aside(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    c.say("freeze my everyday card")
    limit = c.say("whats my atm limit on premier")  # was "Freeze your card ending 8120?"
    assert "£1,000 per day" in limit.reply and limit.reply.endswith("9042? Reply yes to go ahead or no to cancel.")
    assert c.say("what about the premier one?").reply.startswith("Freeze your card ending 8120?")  # a correction
    # "and if i use my everyday card instead" after a question about fees: a question, no freeze offered.
    c = Conversation(assistant, customer="C006")
    c.say("going to new york next week, what fees on my premier card")
    assert c.say("and if i use my everyday card instead").intent != "freeze_card"
