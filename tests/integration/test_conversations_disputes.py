"""Scripted dispute conversations with the bank assistant over the real stack: finding the payment the customer
means among their own, and what is said before a dispute is opened."""

from __future__ import annotations

import pytest

from tests.integration.chatting import Conversation, bank_db, card_status

pytestmark = pytest.mark.integration


def test_a_disputed_payments_day_of_month_is_in_the_past(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    # On 6 December "the 14th" nearest to today is 14 December; a payment already made was on 14 November.
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    reply = assistant.run(customer_id="C001", message="I was charged twice by tesco on the 14th", now=now)
    assert reply.route == "confirm" and "2026-11-14" in reply.reply
    assert "only one payment of £22.08" in reply.reply  # "twice", but the account shows one: said, not glossed over


def test_a_bare_amount_or_merchant_answers_the_dispute_questions(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("I want to dispute a payment").route == "ask"
    listed = c.say("tesco")  # lower case, no cue word: one of the customer's own merchants
    assert listed.route == "ask" and "£22.08" in listed.reply and "£44.22" in listed.reply
    confirm = c.say("44.22")  # a bare figure answering our own list of pounds
    assert confirm.route == "confirm" and "£44.22 to Tesco" in confirm.reply and "currency" not in confirm.reply
    # A day answering "the amount or the date?" is the date, not an amount of £31.
    day = Conversation(assistant, customer="C002")
    day.say("I want to dispute a shell payment")
    picked = day.say("31 october")
    assert picked.route == "confirm" and "£47.45 to Shell on 2026-10-31" in picked.reply
    assert "can't find" not in picked.reply
    # More payments than the question lists: it says it lists the latest four.
    many = Conversation(assistant, customer="C006").say("I want to dispute my amazon payment")
    assert "I found 6 payments, the latest 4:" in many.reply and many.reply.count(" to Amazon on ") == 4


def test_a_misremembered_amount_shows_the_payments_to_that_merchant(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("dispute a payment to tesco")
    wrong = c.say("it was 25 quid")  # neither Tesco payment is £25: say so, and list them again
    assert wrong.route == "ask" and "can't find a payment of £25.00 to Tesco" in wrong.reply
    assert "£22.08" in wrong.reply and "£44.22" in wrong.reply
    one = Conversation(assistant).say("dispute the £30 payment to WWW.XBPAY")  # the only payment to them
    assert one.route == "confirm" and "can't find a payment of £30.00" in one.reply and "£23.50" in one.reply
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM disputes").fetchone()[0] == 0  # nothing opened without the yes


def test_a_disputed_amount_without_a_currency_is_looked_up_in_pounds(assistant) -> None:  # noqa: ANN001
    # The amount only finds one of the customer's own payments, which the confirmation names.
    confirm = Conversation(assistant, customer="C002").say("I don't recognise a payment of 18.99")
    assert confirm.route == "confirm" and "£18.99 to SP DIGITAL" in confirm.reply and "currency" not in confirm.reply
    dollars = Conversation(assistant, customer="C002")
    asked = dollars.say("I want to dispute a payment of 18.99 USD")  # converted on the account: no amount matches
    assert asked.route == "ask" and "in pounds" in asked.reply
    assert "£18.99 to SP DIGITAL" in dollars.say("it was sp digital").reply
    # Pasted from the statement, minus sign and all, or said in words: the same payment.
    pasted = Conversation(assistant).say("I want to dispute WWW.XBPAY -£23.50")
    assert pasted.route == "confirm" and "£23.50 to WWW.XBPAY" in pasted.reply and "minus" not in pasted.reply
    said = Conversation(assistant).say("dispute the twenty three pounds fifty payment")
    assert said.route == "confirm" and "£23.50 to WWW.XBPAY" in said.reply


def test_dispute_fills_the_merchant_across_turns(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    ask = c.say("I want to dispute a payment")
    assert ask.route == "ask" and ask.intent == "dispute_transaction"
    confirm = c.say("£23.50 to something called WWW.XBPAY")
    assert confirm.route == "confirm" and "WWW.XBPAY" in confirm.reply and "£23.50" in confirm.reply
    done = c.say("yes")
    assert done.tool.status == "ok" and done.tool.result["dispute_id"].startswith("DSP-")
    with bank_db(assistant_settings) as db:
        (reason,) = db.execute("SELECT reason FROM disputes WHERE customer_id = 'C001'").fetchone()
    assert reason == "customer said: I want to dispute a payment"  # the request in the customer's words
    # Why, when the customer says so, reaches the case handler; card numbers in it are masked.
    why = Conversation(assistant, customer="C002")
    why.say("dispute the deliveroo payment, the food never came and I paid with card 4929 1234 5606 5531")
    why.say("yes")
    with bank_db(assistant_settings) as db:
        (reason,) = db.execute("SELECT reason FROM disputes WHERE customer_id = 'C002'").fetchone()
    assert "the food never came" in reason and "4929 1234" not in reason
    # The same payment again: the open dispute is named up front, not offered a second time.
    again = Conversation(assistant).say("I want to dispute the £23.50 payment to WWW.XBPAY")
    assert done.tool.result["dispute_id"] in again.reply and "already open" in again.reply
    assert again.route != "confirm" and "TX-" not in again.reply


def test_a_long_reply_to_which_payment_is_not_read_as_a_payee(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("I want to dispute a payment")  # which payment? who was it paid to?
    person = c.say("honestly could you just ask somebody to phone me about it")
    assert person.intent == "human_handoff" and "honestly" not in str(person.fields)  # asked first or handed over


def test_a_question_naming_a_merchant_but_no_problem_starts_no_dispute(assistant) -> None:  # noqa: ANN001
    question = Conversation(assistant).say("can i get cashback at tesco?")
    assert question.intent == "policy_question" and question.route in ("answer", "abstain")
    dispute = Conversation(assistant).say("I was charged twice at tesco, can you help?")
    assert dispute.intent == "dispute_transaction" and "£22.08" in dispute.reply


def test_a_payment_described_loosely_is_still_found(assistant) -> None:  # noqa: ANN001
    # A space where the statement has a dot; a day given "from" the 1st (read as a period, and its "1st" as the
    # payee): neither payment was found.
    spaced = Conversation(assistant).say("I dont recognise a payment to WWW XBPAY")
    assert spaced.route == "confirm" and "£23.50 to WWW.XBPAY" in spaced.reply
    dated = Conversation(assistant).say("want to dispute the tesco one from 1st november")
    assert dated.route == "confirm" and "£44.22 to Tesco on 2026-11-01" in dated.reply
    listed = Conversation(assistant).say("show me payments from 1st november")
    assert "Tesco -£44.22" in listed.reply and "1st" not in listed.reply


def test_a_payment_not_made_with_block_my_card_stops_the_card_first(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    asked = c.say("i didnt make the 18.99 payment to sp digital, please block my card and refund me")
    assert asked.route == "confirm" and asked.intent == "report_stolen_card" and "5531" in asked.reply
    done = c.say("yes")  # was a dispute, with the card left working
    assert "0808 157 0247" in done.reply and card_status(assistant_settings, "C002", "5531") == "stolen"


def test_the_bigger_one_of_the_listed_payments_is_the_one_disputed(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert "I found 4 payments" in c.say("I want to dispute a trainline payment").reply
    picked = c.say("the bigger one")  # the list was repeated
    assert picked.route == "confirm" and "£62.54 to Trainline on 2026-10-27" in picked.reply


def test_dispute_said_first_with_an_amount_is_a_dispute(assistant) -> None:  # noqa: ANN001
    confirm = Conversation(assistant).say("dispute 23.50")  # was "I can't find that", then a ticket
    assert confirm.route == "confirm" and "£23.50 to WWW.XBPAY" in confirm.reply


def test_a_reason_given_at_the_confirmation_joins_the_dispute(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    c.say("I want to dispute a deliveroo payment")
    assert c.say("the 25 october one").route == "confirm"
    noted = c.say("food never arrived")  # was refused as off-topic, and the dispute dropped
    assert noted.route == "confirm" and "£41.24" in noted.reply
    assert c.say("yes").tool.status == "ok"
    with bank_db(assistant_settings) as db:
        (reason,) = db.execute("SELECT reason FROM disputes WHERE customer_id = 'C006'").fetchone()
    assert "food never arrived" in reason


def test_a_no_that_says_what_went_wrong_does_not_cancel_the_dispute(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("dispute 23.50")
    asked = c.say("no, I never received the goods")  # was cancelled
    assert asked.route == "confirm" and "£23.50" in asked.reply
    assert c.say("yes").tool.status == "ok"
    with bank_db(assistant_settings) as db:
        (reason,) = db.execute("SELECT reason FROM disputes WHERE customer_id = 'C001'").fetchone()
    assert "never received the goods" in reason
    off = Conversation(assistant, customer="C002")  # another payment: the one above is disputed now
    assert off.say("dispute 18.99").route == "confirm"
    assert off.say("no, cancel it, it was me after all").route == "cancelled"



def test_a_payment_of_the_list_just_given_is_disputed_by_its_place(assistant, assistant_settings) -> None:  # noqa: ANN001
    # "the second one is wrong, can u dispute it" abstained and offered a colleague.
    c = Conversation(assistant)
    listed = c.say("show my last 5 transactions")
    assert listed.intent == "recent_transactions"
    assert "Transfer in £100.00 (Easy Saver)" in listed.reply  # rows from two accounts say which
    second = listed.reply.split("; ")[1].split(" (")[0]  # "2026-11-19 TfL Travel -£6.84 (Everyday Account)"
    asked = c.say("the second one is wrong, can u dispute it")
    assert asked.route == "confirm" and asked.intent == "dispute_transaction"
    assert second.split()[-1].lstrip("-") in asked.reply and " ".join(second.split()[1:-1]) in asked.reply


def test_a_payment_not_recognised_is_met_with_the_first_steps(assistant, assistant_settings) -> None:  # noqa: ANN001
    # It only asked "which payment would you like to dispute?": the documents say such a payment is no dispute.
    told = Conversation(assistant).say("there's a payment on my account i dont recognise, what is it?")
    assert told.intent == "dispute_transaction" and told.route == "ask"
    assert told.reply.startswith("If you didn't make this payment at all") and "0808 157 0247" in told.reply
    assert "Which payment would you like to dispute?" not in told.reply  # a mixed message after "isn't a dispute"
    # Something wrong with a payment one made is asked about as before.
    plain = Conversation(assistant).say("I want to dispute a payment")
    assert plain.reply.startswith("Which payment would you like to dispute?")


def test_an_overcharge_told_from_memory_finds_the_payment_near_the_amount_said(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    # "pret" alone names Pret A Manger; "about a tenner" is £10.46, the one Pret payment that day near £10.
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    reply = assistant.run(customer_id="C006", message="pret overcharged me, about a tenner on the 20th", now=now)
    assert reply.route == "confirm" and reply.intent == "dispute_transaction"
    assert "£10.46 to Pret A Manger on 2026-11-20" in reply.reply and "can't find a payment of £10.00" in reply.reply


def test_a_payment_that_is_not_there_is_said_to_be_not_there(assistant) -> None:  # noqa: ANN001
    # "of 1200" is an amount by its words, in pounds as the statement is; it was taken for no amount at all and
    # the customer asked again for what they had just given.
    missing = Conversation(assistant, customer="C002").say("dispute the payment of 1200")
    assert missing.route == "ask" and "I can't find a card payment of £1,200.00 matching that" in missing.reply


def test_a_payment_the_customer_did_not_pay_gets_the_fraud_advice_first(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("whats WWW.XBPAY? i didnt pay that")
    assert reply.route == "confirm" and "isn't a dispute" in reply.reply and "0808 157 0247" in reply.reply


def test_the_one_payment_just_shown_is_the_one_not_made(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert "WWW.XBPAY -£23.50" in c.say("what was that 23.50 payment on the 17th").reply
    told = c.say("i dont know what that is, i never made it")  # refused as off-topic
    assert "call our fraud team on 0808 157 0247" in told.reply
    assert told.route == "confirm" and "£23.50 to WWW.XBPAY" in told.reply  # the one shown, not "which payment?"


def test_a_question_with_a_dispute_waiting_is_answered_not_added_to_it(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant, customer="C002")
    assert c.say("dispute the deliveroo one, food never came").route == "confirm"
    asked = c.say("wait whats the time limit for disputes")  # was "Thanks, I've added that" to the reason
    assert "120 days" in asked.reply and "still waiting" in asked.reply
    done = c.say("ok yes")
    assert done.route == "action"
    with bank_db(assistant_settings) as db:
        (reason,) = db.execute("SELECT reason FROM disputes WHERE id = ?", (done.tool.result["dispute_id"],)).fetchone()
    assert "time limit" not in reason


def test_the_card_of_the_one_payment_shown_is_the_one_blocked(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert "WWW.XBPAY -£23.50" in c.say("what was that 23.50 payment on the 17th").reply
    block = c.say("can you block the card")  # asked "which card?" although the payment was made with one
    assert block.route == "confirm" and "card ending 8120" in block.reply and "4417" not in block.reply


def test_asking_for_the_dispute_waiting_is_a_yes_to_it(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("what was that 23.50 payment on the 17th")
    assert c.say("i dont know what that is, i never made it").route == "confirm"
    done = c.say("can you dispute it")  # was "Thanks, I've added that" to the reason, and asked again
    assert done.route == "action" and done.tool.tool == "open_dispute"


def test_a_payee_asked_about_by_its_statement_name_is_shown_then_disputed(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    shown = c.say("whats SP DIGITAL 18.99")  # abstained: the classifier calls it off-topic, unsure
    assert shown.tool.tool == "recent_transactions" and "SP DIGITAL -£18.99" in shown.reply
    # "still" could be a payee as well; only SP DIGITAL is one of theirs (it asked "still or SP DIGITAL?").
    asked = c.say("oh thats the gym app, i cancelled it in october tho and they still took it. dispute it")
    assert asked.route == "confirm" and "£18.99 to SP DIGITAL" in asked.reply


def test_no_i_didnt_make_it_at_a_disputes_confirmation_freezes_the_card(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    assert c.say("what is SP DIGITAL on my statement? i never bought that").route == "confirm"
    # "Thanks, I've added that", and the dispute asked again: a payment not made is no dispute.
    instead = c.say("no i definitely didnt make it")
    assert instead.intent == "freeze_card" and "card ending 5531" in instead.reply and "0808 157 0247" in instead.reply
    assert c.say("yes").route == "action" and card_status(assistant_settings, "C002", "5531") == "frozen"
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM disputes WHERE transaction_id = 'TX-00033'").fetchone()[0] == 0


def test_a_payment_not_known_names_the_card_to_freeze_and_a_question_is_no_reason(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    first = c.say("whats WWW.XBPAY? there's a £23.50 payment i dont know")  # offered a dispute, no fraud line
    assert "freeze your debit card ending 8120 and call our fraud team" in first.reply
    asked = c.say("which card was it on")  # was "Thanks, I've added that": kept as the dispute's reason
    assert "added that" not in asked.reply and "debit card ending 8120" in asked.reply.split("\n\n")[-1]
