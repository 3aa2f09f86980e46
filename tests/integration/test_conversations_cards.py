"""Conversations about the customer's cards over the real stack: choosing which card, confirming, correcting
or switching what was asked, and acting on several cards at once."""

from __future__ import annotations

import pytest

from tests.integration.chatting import Conversation, bank_db, card_status

pytestmark = pytest.mark.integration


def test_no_the_credit_one_at_the_confirmation_of_the_debitcard_status(assistant, assistant_settings) -> None:  # noqa: ANN001
    for correction in ("the credit one", "no, the credit one"):
        c = Conversation(assistant)
        assert "8120" in c.say("freeze my debit card").reply
        again = c.say(correction)  # the card "debit" led to is settled again from "credit"
        assert again.route == "confirm" and "4417" in again.reply and "8120" not in again.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"
    c = Conversation(assistant)
    assert "8120" in c.say("freeze card 8120").reply
    again = c.say("no, the credit one")  # the newer description of the card replaces the digits
    assert again.route == "confirm" and "4417" in again.reply and "8120" not in again.reply


def test_freeze_asks_which_card_then_confirms(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    ask = c.say("please freeze my card")
    assert ask.route == "ask" and "8120" in ask.reply and "4417" in ask.reply
    confirm = c.say("the one ending 8120")
    assert confirm.route == "confirm" and "8120" in confirm.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"  # nothing changes before the yes
    done = c.say("yes")
    assert done.route == "action" and done.tool.status == "ok"
    assert card_status(assistant_settings, "C001", "8120") == "frozen"
    assert card_status(assistant_settings, "C006", "8120") == "active"  # another customer's card with the same digits


def test_no_at_the_confirmation_changes_nothing(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("freeze my credit card ending 4417").route == "confirm"
    cancelled = c.say("no, leave it")
    assert cancelled.route == "cancelled"
    assert card_status(assistant_settings, "C001", "4417") == "active"


def test_a_no_that_names_another_card_asks_again_about_that_card(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("please freeze my card")
    assert "8120" in c.say("the one ending 8120").reply
    corrected = c.say("no, the 4417 one")
    assert corrected.route == "confirm" and "4417" in corrected.reply and "8120" not in corrected.reply
    assert card_status(assistant_settings, "C001", "4417") == "active"  # asked again, not done
    assert c.say("yes").tool.status == "ok"
    assert card_status(assistant_settings, "C001", "4417") == "frozen"
    assert card_status(assistant_settings, "C001", "8120") == "active"


def test_the_last_four_digits_of_another_own_card_correct_the_confirmation_without_a_cue(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    # "8120 after all" has no "card ending" before the digits; they are the customer's other card, so they name it.
    for first, correction in (("freeze my card 4417", "8120 after all"),
                              ("freeze my credit card", "no, 8120 after all"),
                              ("freeze my card ending 4417", "sorry, I meant 8120")):
        c = Conversation(assistant)
        assert "4417" in c.say(first).reply
        corrected = c.say(correction)
        assert corrected.route == "confirm" and "8120" in corrected.reply and "4417" not in corrected.reply, correction
        assert card_status(assistant_settings, "C001", "8120") == "active"  # asked again, not done
    assert c.say("yes").tool.status == "ok"
    assert card_status(assistant_settings, "C001", "8120") == "frozen"
    assert card_status(assistant_settings, "C001", "4417") == "active"


def test_digits_that_are_not_one_of_the_customers_cards_do_not_replace_the_card(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my card 4417")
    assert "5531" not in c.say("5531 after all").reply


def test_both_cards_are_blocked_with_one_yes(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    asked = c.say("I lost my wallet with both cards in it")
    assert asked.route == "confirm" and "8120" in asked.reply and "4417" in asked.reply
    assert asked.fields == {"card_kind": "all"}  # not the first card's digits, as if it were the one meant
    assert card_status(assistant_settings, "C001", "8120") == "active"  # nothing before the yes
    done = c.say("yes")
    assert done.reply.count("Done:") == 2 and done.reply.count("0808 157 0247") == 1
    assert card_status(assistant_settings, "C001", "8120") == "lost"
    assert card_status(assistant_settings, "C001", "4417") == "lost"
    assert card_status(assistant_settings, "C006", "8120") == "active"  # another customer's card, same digits
    # Both named by their digits, joined by "and": both meant; "or" offers a choice, which is asked.
    named = Conversation(assistant, customer="C006")
    asked = named.say("freeze my cards ending 9042 and 8120")
    assert asked.route == "confirm" and "card ending 9042 and your card ending 8120?" in asked.reply  # one question
    assert named.say("no").route == "cancelled" and card_status(assistant_settings, "C006", "9042") == "active"
    assert "Which card" in Conversation(assistant, customer="C006").say("freeze 9042 or 8120?").reply
    # "both" answering "which card?"
    c = Conversation(assistant, customer="C006")
    assert "Which card" in c.say("freeze my card").reply
    both = c.say("both")
    assert both.route == "confirm" and "9042" in both.reply and "8120" in both.reply
    assert c.say("no").route == "cancelled" and card_status(assistant_settings, "C006", "9042") == "active"


def test_two_debit_cards_are_told_apart_by_their_accounts(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    asked = c.say("freeze my card")  # both debit cards: their accounts tell them apart
    assert "9042 on your Everyday Account" in asked.reply and "8120 on your Premier Account" in asked.reply
    picked = c.say("the premier one")
    assert picked.route == "confirm" and "8120" in picked.reply and "9042" not in picked.reply
    assert c.say("yes").route == "action" and card_status(assistant_settings, "C006", "8120") == "frozen"
    assert card_status(assistant_settings, "C006", "9042") == "active"


def test_the_second_one_picks_the_second_choice_our_question_listed(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("please freeze my card")  # which card: the debit card ending 8120 or the credit card ending 4417?
    picked = c.say("the second one")
    assert picked.route == "confirm" and "4417" in picked.reply and "8120" not in picked.reply
    dispute = Conversation(assistant)
    assert "£22.08" in dispute.say("I was charged twice at tesco").reply  # two payments listed, newest first
    last = dispute.say("the last one")
    assert last.route == "confirm" and "£44.22 to Tesco on 2026-11-01" in last.reply
    assert card_status(assistant_settings, "C001", "4417") == "active"


def test_the_other_one_is_the_customers_one_other_card(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my card 8120")
    instead = c.say("no, the other one")
    assert instead.route == "confirm" and "ending 4417?" in instead.reply
    c.say("yes")
    again = c.say("and the other one")  # after the freeze: the card not yet frozen
    assert again.route == "confirm" and "ending 8120?" in again.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"  # asked, not done
    single = Conversation(assistant, customer="C005")
    assert "3390" in single.say("freeze my card").reply
    only = single.say("no, the other one")
    assert "no other one" in only.reply and "3390 is the only one" in only.reply
    assert single.say("no").route == "cancelled" and card_status(assistant_settings, "C005", "3390") == "active"
    # Said with an apology, still the other card (it called the freeze off).
    farid = Conversation(assistant, customer="C006")
    farid.say("freeze my card")
    assert "9042?" in farid.say("the 9042 one").reply
    assert "ending 8120?" in farid.say("no the other one sorry").reply


def test_a_question_asked_while_choosing_a_card_repeats_the_choices(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("please freeze my card")
    aside = c.say("wait, how long does a replacement card take?")
    assert aside.route == "answer" and aside.reply.endswith("I still need to know which one: 8120 or 4417.")
    assert "4417" in c.say("the second one").reply  # still waiting on the same choice


def test_unfreeze_after_freeze(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("please freeze my credit card ending 4417")
    c.say("yes")
    assert card_status(assistant_settings, "C001", "4417") == "frozen"
    reply = c.say("I found it, please unfreeze my card")  # only one frozen card: no need to ask which
    assert reply.route == "confirm" and "4417" in reply.reply
    c.say("yes please")
    assert card_status(assistant_settings, "C001", "4417") == "active"


def test_a_yes_that_changes_the_card_asks_again_and_acts_on_neither(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("freeze my credit card ending 4417").route == "confirm"
    changed = c.say("yes, but actually the card ending 8120 instead")
    assert changed.route == "confirm" and "8120" in changed.reply and "4417" not in changed.reply
    assert card_status(assistant_settings, "C001", "4417") == "active"
    assert c.say("yes, 8120").route == "action"  # repeating the confirmed card is still a yes
    assert card_status(assistant_settings, "C001", "8120") == "frozen"
    assert card_status(assistant_settings, "C001", "4417") == "active"


def test_freeze_it_again_says_which_card_is_already_frozen(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my card ending 8120")
    c.say("yes")
    again = c.say("freeze it again")
    # The one card left to freeze is not the one the customer meant: the question says so.
    assert again.route == "confirm" and "8120 is frozen" in again.reply and "4417" in again.reply


def test_stolen_card_is_blocked_and_replaced(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    reply = c.say("my debit card ending 8120 was stolen from my bag")
    assert reply.intent == "report_stolen_card" and reply.route == "confirm"
    done = c.say("yes")
    assert "replacement" in done.reply
    assert card_status(assistant_settings, "C001", "8120") == "stolen"


def test_a_no_that_asks_for_another_card_action_switches_to_it_for_the_same_card(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    assert c.say("my debit card ending 8120 was stolen").reply.rstrip().endswith(
        "card ending 8120 as stolen? Reply yes to go ahead or no to cancel.")
    switched = c.say("no wait, it was just lost")
    assert switched.route == "confirm" and switched.intent == "report_lost_card" and "8120 as lost?" in switched.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"  # confirmed again, not done
    c.say("yes")
    assert card_status(assistant_settings, "C001", "8120") == "lost"
    plain = Conversation(assistant)
    plain.say("freeze my credit card")
    assert plain.say("no thanks, I found it").route == "cancelled"
    for said in ("no wait, stolen", "actually I think it was stolen, not lost"):  # one word; no "no" at all
        other = Conversation(assistant)
        other.say("I lost my credit card")
        assert "4417 as stolen?" in other.say(said).reply, said
    denied = Conversation(assistant).say("I lost my credit card, it wasn't stolen")  # "stolen", denied
    assert denied.intent == "report_lost_card" and "4417 as lost?" in denied.reply


def test_lost_card_asks_which_then_blocks_it(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    ask = c.say("I think I've lost my card somewhere in town")
    assert ask.intent == "report_lost_card" and ask.route == "ask"
    confirm = c.say("4417")
    assert confirm.route == "confirm" and "4417" in confirm.reply
    c.say("yes")
    assert card_status(assistant_settings, "C001", "4417") == "lost"


def test_card_chosen_by_kind_or_by_its_digits(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("freeze my card please").route == "ask"
    confirm = c.say("the credit one")
    assert confirm.route == "confirm" and "4417" in confirm.reply and "8120" not in confirm.reply
    assert confirm.fields["card_last4"] == "4417" and confirm.fields["card_kind"] == "credit"
    direct = Conversation(assistant).say("freeze the 8120 card")
    assert direct.route == "confirm" and direct.fields.get("card_last4") == "8120"


def test_undo_right_after_a_freeze_offers_the_unfreeze(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    c.say("freeze my card")
    c.say("yes")
    undo = c.say("thanks. can you undo that?")  # not a goodbye
    assert undo.route == "confirm" and undo.intent == "unfreeze_card" and "5531" in undo.reply
    assert card_status(assistant_settings, "C002", "5531") == "frozen"  # asked, not done
    c.say("yes")
    assert card_status(assistant_settings, "C002", "5531") == "active"
    # What cannot be undone here is said so, with the offer of a colleague a yes takes.
    lost = Conversation(assistant, customer="C002")
    lost.say("report my card lost")
    lost.say("yes")
    cannot = lost.say("can you undo that?")
    assert "can't undo that" in cannot.reply and card_status(assistant_settings, "C002", "5531") == "lost"
    assert lost.say("yes").route == "handoff"


def test_a_lost_card_in_plain_non_native_words_is_reported(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant, customer="C005").say("please to block my card, i lose it in the bus")
    assert reply.intent == "report_lost_card" and reply.route == "confirm" and "3390" in reply.reply


def test_and_another_card_while_a_card_action_waits_adds_it_to_the_same_yes(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    assert "8120" in c.say("freeze my debit card").reply
    both = c.say("and my credit card")  # was read as a report of the credit card as stolen
    assert both.route == "confirm" and "8120" in both.reply and "4417" in both.reply and "stolen" not in both.reply
    assert card_status(assistant_settings, "C001", "4417") == "active"  # nothing before the yes
    c.say("yes")
    assert [card_status(assistant_settings, "C001", card) for card in ("8120", "4417")] == ["frozen", "frozen"]
    farid = Conversation(assistant, customer="C006")
    farid.say("freeze my everyday card")
    assert "9042" in farid.say("the premier card too").reply


def test_a_card_corrected_in_the_same_message_is_the_one_meant(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    confirm = c.say("please freeze my card, the one ending 4417 no sorry 8120")
    assert confirm.route == "confirm" and "8120" in confirm.reply and "4417" not in confirm.reply
    c.say("yes")
    assert card_status(assistant_settings, "C001", "8120") == "frozen"
    assert card_status(assistant_settings, "C001", "4417") == "active"
    described = Conversation(assistant).say("freeze card 4417 I mean the debit one")
    assert "8120" in described.reply and "4417" not in described.reply


def test_asking_whether_it_is_done_while_it_waits_says_not_yet(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my debit card")
    asked = c.say("has it been done?")
    assert asked.reply.startswith("Not yet:") and "8120" in asked.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"
    c.say("yes")
    assert card_status(assistant_settings, "C001", "8120") == "frozen"


def test_a_mistyped_request_is_still_the_request(assistant) -> None:  # noqa: ANN001
    blocked = Conversation(assistant).say("blok my credit card")  # was "I can't find that", then a ticket
    assert blocked.route == "confirm" and blocked.intent == "freeze_card" and "4417" in blocked.reply
    asked = Conversation(assistant).say("frezee my crad plz")
    assert asked.intent == "freeze_card" and asked.route == "ask"


def test_two_cards_given_at_the_card_question_are_both_meant(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my card")
    both = c.say("4417 and 8120")  # only 8120 was frozen
    assert both.route == "confirm" and "4417" in both.reply and "8120" in both.reply
    c.say("yes")
    assert [card_status(assistant_settings, "C001", card) for card in ("8120", "4417")] == ["frozen", "frozen"]
    either = Conversation(assistant, customer="C006")  # both of Alice's are frozen now
    either.say("freeze my card")
    assert either.say("9042 or 8120").route == "ask"  # "or" offers a choice: asked which



def test_requests_that_are_not_what_their_card_words_suggest(assistant, assistant_settings) -> None:  # noqa: ANN001
    # Someone else's card without the apostrophe: refused, as with it (it froze or blocked the caller's own card).
    for customer, said in (("C003", "can you freeze daniels card please, hes my husband and he lost it"),
                           ("C002", "my wifes card got stolen can you block it")):
        refused = Conversation(assistant, customer=customer).say(said)
        assert refused.route == "refuse" and not refused.tool, said
    assert card_status(assistant_settings, "C003", "2208") == "active"
    assert card_status(assistant_settings, "C002", "5531") == "active"
    # Paying a credit card off is a payment (which the chat doesn't make), never a freeze of that card.
    paid = Conversation(assistant).say("can u pay my credit card bill from my everyday account")
    assert paid.intent == "not_in_chat" and "app" in paid.reply
    # A chip that stopped working is replaced from the app, keeping the card number; it was blocked as lost.
    chip = Conversation(assistant, customer="C002").say("the chip on my card stopped working, how do i get a "
                                                         "replacement")
    assert chip.route in ("answer", "abstain") and not chip.tool
    assert card_status(assistant_settings, "C001", "4417") == "active"
    assert card_status(assistant_settings, "C002", "5531") == "active"


def test_choices_and_actions_changed_while_asked_or_confirming(assistant, assistant_settings) -> None:  # noqa: ANN001
    # "no, the second one" at the confirmation picks from the choices asked just before (it offered 8120 again).
    c = Conversation(assistant)
    c.say("freeze my card")
    assert "8120" in c.say("the debit").reply
    again = c.say("no the second one")
    assert again.route == "confirm" and "4417" in again.reply and "8120" not in again.reply
    c.say("yes")
    assert [card_status(assistant_settings, "C001", d) for d in ("8120", "4417")] == ["active", "frozen"]
    # Two kinds of card joined by "and" are one request on both (the second was listed, not frozen).
    both = Conversation(assistant, customer="C003").say("freeze my debit and credit cards")
    assert both.route == "confirm" and both.intent == "freeze_card"
    # A freeze asked for while the card report asks which card: the freeze, never the permanent block.
    c = Conversation(assistant, customer="C006")
    assert c.say("I've lost my card").intent == "report_lost_card"
    froze = c.say("freeze it for now")
    assert froze.intent == "freeze_card" and froze.route == "ask"
    done = c.say("9042")
    assert done.intent == "freeze_card" and done.route == "confirm"
    c.say("yes")
    assert card_status(assistant_settings, "C006", "9042") == "frozen"


def test_a_list_of_three_requests_is_taken_one_at_a_time(assistant, assistant_settings) -> None:  # noqa: ANN001
    # Split at its comma, then at its "and": it asked "which card kind?" and reported the wrong card stolen.
    c = Conversation(assistant)
    first = c.say("freeze my debit card, report my credit card stolen and change my email to alice.m@example.net")
    assert first.intent == "freeze_card" and "8120" in first.reply and "other request" in first.reply
    second = c.say("yes")
    assert second.intent == "report_stolen_card" and "4417" in second.reply
    third = c.say("yes")
    assert third.intent == "update_phone_or_email" and "alice.m@example.net" in third.reply
    c.say("yes")
    assert [card_status(assistant_settings, "C001", d) for d in ("8120", "4417")] == ["frozen", "stolen"]


def test_own_card_named_beside_someone_elses_is_acted_on(assistant, assistant_settings) -> None:  # noqa: ANN001
    # The whole request was refused, and the caller's own stolen card stayed active.
    c = Conversation(assistant, customer="C002")
    both = c.say("my wifes card was stolen along with mine, block mine please")
    assert both.route == "confirm" and "5531" in both.reply and "your wife needs to contact us" in both.reply
    c.say("yes")
    assert card_status(assistant_settings, "C002", "5531") == "stolen"
    own = Conversation(assistant, customer="C003").say("freeze my card and daniels card")  # "Daniels needs to"
    assert "Daniel needs to contact us themselves" in own.reply
    refused = Conversation(assistant, customer="C003").say("freeze daniels card please")
    assert refused.route == "refuse"
    assert card_status(assistant_settings, "C004", "7764") == "active"


def test_card_words_that_ask_for_something_gentler_or_different(assistant, assistant_settings) -> None:  # noqa: ANN001
    # Gambling payments are stopped by the app's gambling block: the card was frozen for every payment.
    gambling = Conversation(assistant, customer="C002").say("can you stop my card working on gambling sites?")
    assert gambling.route in ("answer", "abstain") and not gambling.tool
    # Perhaps not lost: frozen, which can be undone, not blocked for good.
    for said in ("I can't remember if I've lost my card or if my daughter has it",
                 "cant find my card anywhere, might be in the car tho"):
        assert Conversation(assistant, customer="C005").say(said).intent == "freeze_card", said
    # Scammed and asking for a freeze: the freeze (it was a scam hand-off, and the card stayed active).
    c = Conversation(assistant)
    asked = c.say("freeze my card, i think i've been scammed")
    assert asked.intent == "freeze_card"
    assert card_status(assistant_settings, "C002", "5531") == "active"


def test_express_replacement_is_confirmed_with_its_fee_and_charged(assistant, assistant_settings) -> None:  # noqa: ANN001
    def balance() -> int:
        with bank_db(assistant_settings) as db:
            return db.execute("SELECT balance_pence FROM accounts WHERE id = 'ACC-104233'").fetchone()[0]

    before = balance()
    c = Conversation(assistant)
    confirm = c.say("I've lost my debit card, please send the new one express")
    assert confirm.route == "confirm" and "8120" in confirm.reply and "express" in confirm.reply
    assert "£15" in confirm.reply and balance() == before  # the fee is said before the yes, taken after it
    done = c.say("yes")
    assert done.route == "action" and "next working day" in done.reply and "3-5" not in done.reply
    assert card_status(assistant_settings, "C001", "8120") == "lost" and balance() == before - 1500
    assert "Express card delivery -£15.00" in c.say("what did I spend today?").reply
    # Premier customers pay nothing for it.
    farid = Conversation(assistant, "C006")
    assert "Premier" in farid.say("my premier card was stolen, can I get next day delivery on the new one").reply
    assert "free for Premier" in farid.say("yes").reply
    with bank_db(assistant_settings) as db:
        fees = db.execute("SELECT count(*) FROM transactions WHERE merchant = 'Express card delivery'").fetchone()[0]
    assert fees == 1  # Alice's only


def test_express_asked_for_at_a_stolen_cards_confirmation_keeps_it_stolen(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant, "C006")
    c.say("report card stolen")
    c.say("everyday")
    express = c.say("send it express")  # read as leaning to a lost card, it was reported lost
    assert express.intent == "report_stolen_card" and "express" in express.reply
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C006", "9042") == "stolen"


def test_the_waiting_questions_own_verb_is_a_yes(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C004")
    assert "as stolen?" in c.say("my card got nicked in spain, whats the number to call").reply
    done = c.say("can you just block it")  # read as a freeze, and the stolen card was only frozen
    assert done.route == "action" and card_status(assistant_settings, "C004", "7764") == "stolen"


def test_a_card_needed_soon_is_offered_express_not_charged_for_it(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    hurry = c.say("lost my credit card, i need the new one tomorrow")  # a standard one was ordered, unsaid
    assert "as lost, with the new one sent by standard delivery (3 to 5 working days)? To have it the next working " \
        "day instead, say express (£15 fee)." in hurry.reply
    assert "with the new one sent by express delivery (£15 fee)?" in c.say("express").reply
    assert "next working day" in c.say("yes").reply and card_status(assistant_settings, "C001", "4417") == "lost"


def test_a_report_without_express_is_sent_standard_and_free(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, "C002")
    confirm = c.say("I lost my card, I need the new one asap")  # speed wished for, express not asked by name
    assert confirm.route == "confirm" and "sent by express delivery" not in confirm.reply  # offered, not ordered
    assert "3-5 working days" in c.say("yes").reply
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM transactions WHERE merchant = 'Express card delivery'").fetchone()[0] \
            == 0


def test_a_card_that_cannot_take_the_change_is_said_at_once(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    c.say("report my everyday card lost")
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C006", "9042") == "lost"
    # Misspelt, the Everyday card was not read and the one card left, on the Premier account, was frozen.
    typo = Conversation(assistant, customer="C006").say("freeze my everday card")
    assert typo.route == "action" and "9042 is lost" in typo.reply and "8120" not in typo.reply
    assert card_status(assistant_settings, "C006", "8120") == "active"
    # Named by its digits: no yes asked for a change the card cannot take.
    lost = Conversation(assistant, customer="C006").say("unfreeze card 9042")
    assert lost.route == "action" and "can't be unfrozen: it is lost" in lost.reply
    assert "can't be used again, even if you find it" in lost.reply  # "i found it, can i unfreeze it?"
    c = Conversation(assistant)
    c.say("freeze card 4417")
    c.say("yes")
    assert "credit card ending 4417 is already frozen" in Conversation(assistant).say("freeze card 4417").reply
    again = Conversation(assistant).say("freeze my credit card")  # was "can't be frozen right now: ... is frozen"
    assert again.reply == "Your credit card ending 4417 is already frozen."
    # "Both" when only one can take it: the other is named, so "both" is not silently one.
    c = Conversation(assistant)
    c.say("report my debit card lost")
    c.say("yes")
    c.say("unfreeze card 4417")
    c.say("yes")
    both = Conversation(assistant).say("freeze both my cards")
    assert both.route == "confirm" and "8120 is lost" in both.reply and "4417" in both.reply
    # What happens if it turns up is a question, not a request to block the other card.
    found = Conversation(assistant).say("if i find my card after reporting it lost can i use it again")
    assert found.route == "answer" and "can't be reactivated" in found.reply


def test_a_declined_card_is_met_with_the_cards_state(assistant, assistant_settings) -> None:  # noqa: ANN001
    working = Conversation(assistant).say("my card got declined at tesco just now")  # abstained
    assert working.tool.tool == "customer_cards" and "active" in working.reply and "Card limits" in working.reply
    c = Conversation(assistant)
    c.say("freeze my debit card")
    c.say("yes")
    frozen = c.say("why does my card keep getting declined")
    assert "debit card ending 8120 is frozen" in frozen.reply and "4417" not in frozen.reply
    assert c.say("unfreeze it").route == "confirm" and c.say("yes").route == "action"
    assert card_status(assistant_settings, "C001", "8120") == "active"
    assert Conversation(assistant).say("what happens if my card is declined abroad").tool is None
    theirs = Conversation(assistant, customer="C003").say("why is the joint account card not working? Daniel says "
                                                          "it got declined")  # told her own card was active
    assert theirs.intent == "card_declined_theirs" and "2208" not in theirs.reply
