"""Scripted conversations with the bank assistant over the real stack in which a message leans on what came
before or beside it: several requests in one message, a question while an action waits, a follow-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.chatting import Conversation, address_of, bank_db, card_status

pytestmark = pytest.mark.integration


def test_two_requests_in_one_message_are_both_met(assistant, assistant_settings) -> None:  # noqa: ANN001
    from rightfit.tools.audit import AuditLog

    c = Conversation(assistant)
    both = c.say("what's my balance? and freeze my card")
    # The balance first; the freeze, which needs to know which card, last, and the conversation waits on it.
    assert "£1,842.50" in both.reply and both.reply.rstrip().endswith("card ending 4417?")
    assert both.route == "ask" and both.intent == "freeze_card"
    assert c.say("the debit one").route == "confirm"
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "frozen"
    # A yes joined to another request by "and", without "too": both, the confirmed one first.
    c = Conversation(assistant, customer="C006")
    c.say("freeze my everyday card")
    joined = c.say("yes please and what's my balance")
    assert card_status(assistant_settings, "C006", "9042") == "frozen" and "balance is" in joined.reply
    reads = Conversation(assistant).say("what's my balance? show me my last 3 transactions")
    assert "£12,500.00" in reads.reply and len(reads.tool.result["transactions"]) == 3
    # In one sentence, joined by "and": split when both are answered at once ...
    joined = Conversation(assistant, customer="C005").say("whats my balance and my sort code")
    assert "£98.75" in joined.reply and "20-45-79" in joined.reply
    # ... not when the "and" joins two halves of one request.
    one = Conversation(assistant, customer="C005").say("I lost my card and need a new one")
    assert one.route == "confirm" and "other request" not in one.reply
    # The audit log holds the one proposal the customer saw, not one for each half the split would have made.
    audit = AuditLog(Path(assistant_settings.data_dir) / "audit.sqlite")
    assert len(audit.entries(decision="needs_confirmation", trace_id=one.trace_id)) == 1
    # A read done at once beside a change that waits for a yes: both, the yes last.
    read_and_change = Conversation(assistant, customer="C005").say("whats my balance and can you also freeze my card")
    assert "£98.75" in read_and_change.reply and read_and_change.route == "confirm"
    # A question for the documents beside a request: answered, then the request's question.
    c = Conversation(assistant, customer="C002")
    beside = c.say("freeze my card and also what's the fee for a replacement")
    assert "free with standard delivery" in beside.reply and "Freeze your card ending 5531?" in beside.reply
    assert beside.route == "confirm" and c.say("yes").tool.status == "ok"
    # A half that is someone else's is refused beside the half that is the customer's own.
    mixed = Conversation(assistant).say("whats my balance and show my husband's transactions")
    assert "£1,842.50" in mixed.reply and "your own accounts" in mixed.reply and mixed.route == "refuse"


def test_a_question_the_classifier_is_unsure_of_beside_a_request_is_answered(assistant) -> None:  # noqa: ANN001
    both = Conversation(assistant, customer="C005").say("whats my sort code and how do i get a cheque book")
    assert "sort code 20-45-79" in both.reply and "Cheque book" in both.reply  # the question was dropped
    assert both.citations


def test_a_sentence_telling_the_customers_situation_beside_a_question_asks_for_nothing(assistant) -> None:  # noqa: ANN001, E501
    # Alone, "I'm about £40 overdrawn at the moment" reads as a balance request; beside a question it is the
    # question's circumstances: no balance is shown.
    told = Conversation(assistant, customer="C005").say(
        "does it cost anything to close my account? I'm about £40 overdrawn at the moment")
    assert "£98.75" not in told.reply and told.route in ("answer", "abstain") and told.tool is None
    # Its question points back to the situation, so it is not answered alone ("can I pay it into the bank?"
    # alone quoted the rule on damaged notes).
    cash = Conversation(assistant, customer="C006").say(
        "I've got about 12k in cash from selling my car. can I pay it into the bank?")
    assert "damaged" not in cash.reply and "balance" not in cash.reply and cash.tool is None
    # A request beside the question is still met.
    both = Conversation(assistant).say("show me my balance. how much is express delivery?")
    assert "£1,842.50" in both.reply and "£15" in both.reply
    # A situation told after a comma, in no document's words, does not sink the answer to the question before it.
    app = Conversation(assistant).say("how do i complain about the app, its crashed 5 times today")
    assert app.route == "answer" and "Make a complaint" in app.reply
    # ... but what is told may qualify the question: a Premier customer's express delivery is free.
    premier = Conversation(assistant, customer="C006").say("how much is express delivery for a new card, im premier")
    assert "free for Premier" in premier.reply
    # A request to sort it out is no part of the question: its words quoted "try to sort it out" with the retailer.
    declined = Conversation(assistant, customer="C005").say("my card keeps getting declined, can you sort it")
    assert "declined" in declined.reply and "retailer" not in declined.reply


def test_two_unrelated_requests_joined_by_and_are_both_met(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    first = c.say("freeze my card and change my email to alice.m@proton.me")  # the e-mail change was dropped
    assert first.route == "ask" and "other request" in first.reply
    c.say("debit")
    second = c.say("yes")
    assert card_status(assistant_settings, "C001", "8120") == "frozen" and "alice.m@proton.me" in second.reply
    assert second.route == "confirm" and c.say("yes").tool.status == "ok"


def test_three_requests_in_one_sentence_are_all_met(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    reply = c.say("freeze my debit card and what's my balance and my sort code")  # the freeze was dropped
    assert "£1,842.50" in reply.reply and "20-45-77" in reply.reply
    assert reply.route == "confirm" and reply.reply.rstrip().endswith("Reply yes to go ahead or no to cancel.")
    c.say("yes")
    assert card_status(assistant_settings, "C001", "8120") == "frozen"


def test_two_requests_that_both_need_a_yes_are_asked_one_after_the_other(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    first = c.say("freeze my credit card. and report my debit card lost.")
    assert first.route == "confirm" and "4417" in first.reply and "8120" not in first.reply
    assert "other request" in first.reply  # the second is not silently dropped
    second = c.say("yes")
    assert card_status(assistant_settings, "C001", "4417") == "frozen"
    assert second.route == "confirm" and second.intent == "report_lost_card" and "8120" in second.reply
    assert card_status(assistant_settings, "C001", "8120") == "active"  # asked, not done
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "lost"
    # Joined by "and" in one sentence, each half with its own details: both, one at a time; the second is
    # proposed (and audited) only when its turn comes.
    from rightfit.tools.audit import AuditLog

    joined = Conversation(assistant, customer="C002")
    both = joined.say("change my phone number to 07700 900555 and my address to 4 Elm Street, Leeds LS6 2AB")
    assert both.route == "confirm" and "07700900555" in both.reply.replace(" ", "").replace("+44", "0")
    assert "other request" in both.reply
    audit = AuditLog(Path(assistant_settings.data_dir) / "audit.sqlite")
    assert [e.tool for e in audit.entries(decision="needs_confirmation", trace_id=both.trace_id)] == ["update_contact"]
    address = joined.say("yes")
    assert address.route == "confirm" and "4 Elm Street" in address.reply
    joined.say("yes")
    with bank_db(assistant_settings) as db:
        phone, postcode = db.execute("SELECT phone, postcode FROM customers WHERE id = 'C002'").fetchone()
    assert (phone, postcode) == ("07700 900555", "LS6 2AB")  # as the bank keeps numbers
    # A no to the first still leaves the second to be asked about.
    c = Conversation(assistant)
    c.say("unfreeze my credit card. and update my address.")  # the credit card is frozen now
    declined = c.say("no")
    assert "haven't changed anything" in declined.reply and declined.intent == "update_address"
    assert declined.route == "ask" and "postcode" in declined.reply


def test_a_yes_with_a_further_request_does_what_was_asked_then_takes_the_rest(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("freeze my credit card").route == "confirm"
    both = c.say("yes, and freeze 8120 too")
    assert both.tool.tool == "freeze_card" and both.tool.status == "ok"
    assert card_status(assistant_settings, "C001", "4417") == "frozen"  # the yes was carried out
    assert "ending 8120?" in both.reply and card_status(assistant_settings, "C001", "8120") == "active"  # asked first
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "frozen"


def test_a_question_followed_by_a_request_is_a_request(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("what cards do I have? freeze the credit one")
    assert reply.route == "confirm" and reply.tool.tool == "freeze_card" and "4417" in reply.reply


def test_question_in_the_middle_of_an_action_is_answered_and_the_action_waits(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, "C002")
    assert c.say("I need to update my address").route == "ask"
    aside = c.say("actually first, how much cash can I take out of an ATM per day?")
    assert aside.route == "answer" and "£500" in aside.reply and "postcode" in aside.reply
    confirm_or_ask = c.say("it's BS2 0BY")
    assert confirm_or_ask.intent == "update_address" and confirm_or_ask.route == "ask"
    assert "street" in confirm_or_ask.reply


def test_a_question_while_a_change_waits_for_a_yes_keeps_it_waiting(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    assert c.say("report my debit card stolen").route == "confirm"
    aside = c.say("is the replacement free?")
    assert aside.route == "answer" and "free" in aside.reply
    assert "8120" in aside.reply.split("\n\n")[-1]  # the waiting question, asked again
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "8120") == "stolen"
    # "the new one" is the replacement the waiting question offers ("Block and replace your card ... as lost?"):
    # asked with that question's words, not the action's name ("report lost card" quoted how to report one).
    c = Conversation(assistant, customer="C005")
    c.say("lost my card")
    fee = c.say("is there a fee for a new one?")  # alone, it quoted the payment limit on a new phone
    assert "free with standard delivery" in fee.reply and "new device" not in fee.reply
    assert "3 to 5 working days" in c.say("wait how long does the new one take").reply
    # Not found in the documents: no offer of a colleague, which the yes would then seem to accept.
    c = Conversation(assistant)
    assert c.say("freeze my credit card").route == "confirm"
    unknown = c.say("do you sell travel insurance?")
    assert unknown.route == "abstain" and "colleague" not in unknown.reply
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "4417") == "frozen"
    # A question about the waiting change itself is a question too, not the change asked for again.
    c = Conversation(assistant)
    c.say("change my address to 5 Oak Road, Manchester M14 5QD")
    about = c.say("is that going to change my card address too?")
    assert about.route == "answer" and "5 Oak Road" in about.reply.split("\n\n")[-1]
    assert c.say("yes").tool.status == "ok" and address_of(assistant_settings, "C001") == ("5 Oak Road, Manchester",
                                                                                          "M14 5QD")
    # Led in by what the customer is about to do: still a question (the card's report was dropped).
    c = Conversation(assistant, customer="C002")
    c.say("my card's been stolen")
    before = c.say("before i say yes, will my direct debits still work?")
    assert before.reply.endswith("5531 as stolen? Reply yes to go ahead or no to cancel.")
    assert c.say("ok yes").tool.status == "ok" and card_status(assistant_settings, "C002", "5531") == "stolen"


def test_a_complaint_beside_a_request_is_logged_and_the_request_met(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant, customer="C003")
    both = c.say("lost card. also want to complain about the app crashing all the time")  # the complaint was lost
    assert both.ticket_id and "logged your complaint" in both.reply
    assert both.route == "confirm" and both.reply.endswith("Reply yes to go ahead or no to cancel.")
    assert c.say("yes").tool.tool == "report_card" and card_status(assistant_settings, "C003", "2208") == "lost"
    other = Conversation(assistant, customer="C005")
    joined = other.say("freeze my card and i want to make a complaint about the staff in the reading branch")
    assert joined.ticket_id and "3390?" in joined.reply  # the freeze was dropped for the complaint
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT intent FROM tickets WHERE id = ?", (joined.ticket_id,)).fetchone()[0] == "complaint"


def test_a_new_address_before_a_new_card_keeps_the_card_report_waiting(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant, customer="C003")
    assert c.say("i lost my card somewhere in town, can you cancel it and send another").route == "confirm"
    moved = c.say("actually wait, send it to my new address 4 Park Row Leeds LS1 5HD")
    assert moved.route == "confirm" and moved.intent == "update_address"
    done = c.say("yes")  # the address changed, and the lost card's report asked again: it was dropped
    assert address_of(assistant_settings, "C003") == ("4 Park Row Leeds", "LS1 5HD")
    assert done.route == "confirm" and done.intent == "report_lost_card" and "2208" in done.reply
    assert card_status(assistant_settings, "C003", "2208") == "active"
    assert c.say("yes").tool.tool == "report_card" and card_status(assistant_settings, "C003", "2208") == "lost"
    # Called off, the address change still gives the report back to say yes or no to.
    again = Conversation(assistant, customer="C005")
    assert again.say("my card's gone, lost it").route == "confirm"
    assert again.say("actually wait, send it to my new address 4 Park Row Leeds LS1 5HD").route == "confirm"
    back = again.say("no")
    assert back.route == "confirm" and back.intent == "report_lost_card" and "3390" in back.reply
    assert address_of(assistant_settings, "C005")[1] == "RG1 7SB"


def test_a_follow_up_to_a_policy_question_is_asked_with_it(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    first = c.say("how much is express delivery for a new card")
    assert first.route == "answer" and "£15" in first.reply
    premier = c.say("and if I'm premier?")  # alone, this names no product or fee
    assert premier.route == "answer" and "free for Premier" in premier.reply
    c = Conversation(assistant, customer="C002")
    c.say("can I get a paper statement")
    cost = c.say("how much does it cost")
    assert cost.route == "answer" and "Paper statements are free" in cost.reply
    # A new question after a policy answer is its own question.
    other = c.say("what's the fee for a CHAPS payment?")
    assert "£25" in other.reply and "statement" not in other.reply.lower()
    # "then" at the end leans on the answer before: the gambling block's number, not the bereavement line.
    c = Conversation(assistant, customer="C002")
    c.say("how do i turn on the gambling block")
    assert "03069 990100" in c.say("whats the number to call then").reply


def test_a_follow_up_is_not_answered_with_what_was_just_said(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    kept = c.say("how long do you keep my data after I close my account")
    assert kept.route == "answer"
    sold = c.say("and do you sell it to other companies?")  # with the question before, its answer scored higher
    assert sold.route == "answer" and "don't sell your personal information" in sold.reply
    assert sold.reply != kept.reply
    c = Conversation(assistant, customer="C002")
    table = c.say("what's the interest free overdraft on the student account in 2nd year")
    assert "Year 2: up to £1,500" in table.reply
    after = c.say("and what happens to it when I graduate?")
    assert "Year 2: up to £1,500" not in after.reply  # said again, it was no answer; "I can't find that" is honest
    # A follow-up the question alone answers better than the question with the one before.
    c = Conversation(assistant, customer="C003")
    c.say("when do you pay the interest on the easy access saver?")
    cash = c.say("can I pay cash straight into it?")
    assert cash.route == "answer" and "can't pay cash" in cash.reply and "interest" not in cash.reply


def test_a_question_right_after_or_during_an_action_is_asked_about_it(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("report my debit card lost")
    c.say("yes")
    found = c.say("will the old one still work if I find it?")  # "the old one": the card just reported
    assert found.route == "answer" and "can't be reactivated" in found.reply
    stolen = Conversation(assistant, customer="C005")
    stolen.say("my purse got nicked on the bus, card and all")
    stolen.say("yeah do it")
    new = stolen.say("how long for the new one")  # alone, a line about paying someone new
    assert new.route == "answer" and "3 to 5 working days" in new.reply
    c = Conversation(assistant, customer="C002")
    c.say("freeze my card")
    debits = c.say("will my direct debits still go out?")  # asked while the freeze waits for its yes
    assert "doesn't stop direct debits" in debits.reply and "still waiting" in debits.reply


def test_a_question_of_its_own_after_an_action_is_not_taken_as_a_follow_up(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    frozen = Conversation(assistant, customer="C005")
    frozen.say("can you freeze my card please")
    frozen.say("yes")
    # "direct debit" named no debit card to freeze again ("None of your debit cards can be frozen right now").
    debit = frozen.say("how do I cancel a direct debit?")
    assert debit.route == "answer" and "Direct debits" in debit.reply
    again = Conversation(assistant)
    again.say("freeze my debit card")
    again.say("yes")
    isa = again.say("if i take money out of my isa can i put it back in later without it counting?")
    assert isa.intent == "policy_question" and "unfreeze" not in isa.reply.lower()  # it offered to unfreeze
    assert card_status(assistant_settings, "C001", "8120") == "frozen"
    balance = Conversation(assistant, customer="C006")
    balance.say("what's my balance?")
    fixed = balance.say("what happens when my fixed saver matures if I forget to tell you what to do?")
    assert fixed.intent == "policy_question" and "savings account" not in fixed.reply  # was the balance again
    assert balance.say("and my premier account?").intent == "check_balance"  # a follow-up still is one


def test_a_part_of_a_value_put_right_keeps_the_rest(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("i've moved, new address is flat 3, 12 high street, leeds LS1 4AB")
    fixed = c.say("no wait its flat 4 not 3")
    assert fixed.route == "confirm" and "flat 4, 12 high street, leeds, LS1 4AB" in fixed.reply
    assert c.say("yes").route == "action"
    assert address_of(assistant_settings, "C001")[0].startswith("flat 4")
    # A new house number said alone: the town stays (it was dropped from the address saved).
    moved = Conversation(assistant, customer="C005")
    moved.say("change my address to 10 Downing St London SW1A 2AA")
    assert "11 Downing St London, SW1A 2AA?" in moved.say("actually make that 11 Downing St").reply
    # A town said with the postcode asked for joins the address (it was dropped from the address saved).
    town = Conversation(assistant, customer="C002")
    town.say("change my address to 3 Birch Rd")
    assert "3 Birch Rd, Manchester, M20 2AB?" in town.say("Manchester M20 2AB").reply
    # A card taken back in the same breath: the one said last is the one meant, not asked about again.
    card = Conversation(assistant).say("freeze my credit one.. no actually debit")
    assert card.route == "confirm" and "8120" in card.reply and "4417" not in card.reply


def test_someone_elses_lost_card_told_in_two_sentences_is_refused_whole(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C003")
    # Split, "he lost it" asked to block the caller's own card as lost, and "yes" did.
    told = c.say("can you freeze Daniel's card? he lost it")
    assert told.route == "refuse" and "2208" not in told.reply
    c.say("yes")
    assert card_status(assistant_settings, "C003", "2208") == "active"


def test_a_second_sentence_taking_the_first_back_is_the_request(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    # Both were done: the card blocked for good, then "None of your cards can be frozen".
    asked = c.say("lost my card. wait no, just freeze it for now, might be in the car")
    assert asked.route == "confirm" and asked.intent == "freeze_card" and "lost" not in asked.reply
    c.say("yes")
    assert card_status(assistant_settings, "C002", "5531") == "frozen"


def test_whether_the_money_comes_back_after_a_stolen_card_is_no_dispute(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("my debit card was stolen and someone paid WWW.XBPAY with it")
    done = c.say("yes")
    assert "by the end of the next working day" in done.reply  # the report says the refund
    assert c.say("do I get the money back?").intent == "policy_question"  # it asked "which payment?"


def test_short_follow_ups_found_in_exploring(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("hi")
    assert c.say("what can you do?").intent == "greeting"  # was refused as off-topic
    other = Conversation(assistant, customer="C006")
    other.say("sort code for my premier account")
    assert "ACC-600044" in other.say("what about for the other account").reply  # "account", not only "one"
    card = Conversation(assistant, customer="C002")
    card.say("my card is damaged")
    same = card.say("will it have the same number?")  # asked for a new mobile number or e-mail
    assert same.intent == "policy_question" and same.tool is None


def test_after_a_complaint_is_logged_a_short_question_is_about_it(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    assert c.say("I want to make a complaint. I was on hold for 45 minutes yesterday and nobody answered").ticket_id
    asked = c.say("how long will you take to respond?")  # the data-request rule, 1 calendar month
    assert "8 weeks" in asked.reply and "calendar month" not in asked.reply
    # Our own charge said to be wrong is no card payment to dispute ("Which payment would you like to dispute?").
    charged = Conversation(assistant, customer="C002").say("charged me overdraft interest wrongly, i want it "
                                                           "refunded and i want to complain")
    assert charged.intent == "complaint" and charged.ticket_id and "dispute" not in charged.reply.lower()


def test_a_question_about_the_payments_just_listed_is_answered_from_them(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C004")
    c.say("what was the pret payment on the 18th")
    assert c.say("how much was it?").reply == "That was Pret A Manger -£9.02 on 2026-11-18."  # was refused
    several = Conversation(assistant, customer="C002")
    several.say("list my transactions from 1 nov to 5 nov")
    assert "Shell -£71.76" in several.say("which of those was the biggest?").reply  # abstained
    it = several.say("dispute it, they charged me twice")  # "Which payment would you like to dispute?"
    assert it.intent == "dispute_transaction" and "Shell" in it.reply
    disputed = Conversation(assistant, customer="C002")
    disputed.say("dispute the deliveroo payment, food never arrived")
    disputed.say("yes")
    assert "Deliveroo -£38.48" in disputed.say("and how much was it again?").reply
    narrowed = Conversation(assistant, customer="C002").say("anything over 50 quid in november?")  # refused
    assert narrowed.tool.tool == "recent_transactions" and narrowed.tool.arguments.get("min_amount") == 50
    # Payments are money out (the salary was listed, then "the biggest"); the list's sum and its smallest.
    c = Conversation(assistant)
    assert "Salary" not in c.say("show me payments over £40").reply
    assert c.say("and the smallest?").reply == "That was Sainsbury's -£43.77 on 2026-11-08."  # refused
    assert c.say("how much is that altogether").reply == "Those 3 come to £150.53 out."
    # Money in after a category's spending is no spending of that category ("no matching fuel transactions").
    c = Conversation(assistant)
    c.say("how much did i spend on petrol last month")
    assert "Salary £2,450.00" in c.say("how much did i get paid").reply
    assert "Salary" in Conversation(assistant).say("how much did i get paid").reply  # was the balance
    # A payment asked about by its amount alone, then when it was (both abstained).
    c = Conversation(assistant, customer="C005")
    assert "Foxtons -£1,200.00" in c.say("theres a payment of 1200 quid, what was that").reply
    assert c.say("when was it").reply == "That was Foxtons -£1,200.00 on 2026-11-17."
    c = Conversation(assistant)
    c.say("how much did I spend at Tesco last month")
    assert c.say("which card was that on?").reply == "Those were all on your credit card ending 4417."  # the app
    bare = Conversation(assistant).say("what's the 23.50 payment")  # "An amount needs a currency", then all
    assert "WWW.XBPAY -£23.50" in bare.reply and "Tesco" not in bare.reply and "currency" not in bare.reply


def test_this_month_after_one_payment_shown_is_a_time_not_the_payment(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C005")
    c.say("show my rent payments")
    # "this" took the payment shown as meant: "You mentioned 2026-12-01..2026-12-31 or 2026-11-17. Which period?"
    paid = c.say("did i pay my rent this month")
    assert paid.route == "action" and "Which period" not in paid.reply
    assert str(paid.tool.arguments.get("since")).endswith("-01")  # the first of this month, whichever it is
