"""Scripted multi-turn conversations with the bank assistant, one or more per route, over the real stack:
MiniLM intent classifier, extractor, bank tools on SQLite, the documents index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.chatting import Conversation, address_of, bank_db, card_status

pytestmark = pytest.mark.integration


def test_greeting_and_goodbye(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    hello = c.say("hi there")
    assert (hello.route, hello.intent) == ("smalltalk", "greeting")
    bye = c.say("thanks a lot, that's all")
    assert (bye.route, bye.intent) == ("smalltalk", "thanks_goodbye")


def test_a_message_without_a_word_is_said_not_to_be_understood(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    for text in ("?????", "😀😀😀", "..."):
        unclear = c.say(text)  # it was greeted with "Hello!"
        assert unclear.intent == "not_caught" and unclear.reply.startswith("Sorry, I didn't catch that."), text
        assert "Hello" not in unclear.reply and "freezing a card" in unclear.reply
    # While a change waits for its yes, it is asked for again, and the yes that follows still confirms.
    c.say("freeze my card")
    waiting = c.say("??")
    assert waiting.route == "confirm" and "Reply yes to go ahead" in waiting.reply
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C002", "5531") == "frozen"


def test_policy_question_is_answered_from_the_documents(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("How much cash can I take out of an ATM per day?")
    assert reply.route == "answer" and reply.intent == "policy_question"
    assert "£500" in reply.reply
    assert reply.citations and reply.citations[0].doc_id == "atm-and-spending-limits"


def test_a_card_the_cash_machine_kept_is_blocked_as_lost(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    ask = c.say("my card got stuck in the atm")
    assert ask.intent == "report_lost_card" and ask.route == "ask"
    assert c.say("the debit one").route == "confirm"
    assert c.say("yes").tool.status == "ok"
    assert card_status(assistant_settings, "C001", "8120") == "lost"


def test_a_forgotten_pin_is_answered_from_the_documents(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("I forgot my pin")
    assert reply.route == "answer" and "view it in the app" in reply.reply
    assert reply.citations and reply.citations[0].doc_id == "pin-management"


def test_a_date_that_does_not_exist_is_said_not_silently_dropped(assistant) -> None:  # noqa: ANN001
    listed = Conversation(assistant).say("show transactions since 31/02")
    assert listed.tool.tool == "recent_transactions"
    assert listed.reply.startswith("There is no day 31 in February, so I went without it.")
    dispute = Conversation(assistant).say("I was charged twice by tesco on 31/02")
    assert dispute.route == "ask" and "no day 31 in February" in dispute.reply and "Which one?" in dispute.reply
    # A period where one day is wanted is said as a statement, not a question run into the next sentence.
    period = Conversation(assistant).say("dispute the tesco payment before the 10th")
    assert period.reply.startswith("'before the 10th' is a period, so I went without it.")
    # A month that only helped find the payment the confirmation names is no news ("I cancel it in October").
    found = Conversation(assistant, customer="C005").say(
        "Hello, my english not so good. I want know why the Netflix take money from me, I cancel it in October "
        "already.")
    assert found.route == "confirm" and found.reply.startswith("Open a dispute for the payment of £10.99 to Netflix")


def test_the_customer_can_ask_which_cards_they_have_and_their_state(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("freeze my credit card ending 4417")
    c.say("yes")
    for question in ("what cards do I have?", "is my card frozen?", "status of my cards", "my cards",
                     "is it frozen now?", "has my card been frozen?"):
        reply = c.say(question)
        assert (reply.route, reply.intent, reply.tool.tool) == ("action", "list_cards", "customer_cards"), question
        assert "debit card ending 8120: active" in reply.reply and "credit card ending 4417: frozen" in reply.reply
    other = Conversation(assistant, customer="C006").say("what cards do I have?")
    assert "4417" not in other.reply  # only the caller's own cards
    # A blocked card's state says why, and whether a new one is coming ("why is it blocked?" got "stolen").
    stolen = Conversation(assistant, customer="C005")
    stolen.say("my card was stolen")
    stolen.say("yes")
    why = stolen.say("why is it blocked?")
    assert "3390: blocked for good, as it was reported stolen; a replacement has been ordered" in why.reply


def test_asking_for_a_person_hands_over_even_with_another_request(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("card 8120 was charged twice at Tesco, get me an agent")
    assert reply.route == "handoff" and reply.ticket_id
    assert reply.fields.get("card_last4") == "8120"
    # A person asked for in words is handed over at once, even where the classifier agrees but is unsure.
    for words in ("can someone from the bank ring me back", "pls pass me to an advisor, this is getting complicated"):
        asked = Conversation(assistant, customer="C003").say(words)
        assert asked.route == "handoff" and asked.ticket_id, words


def test_a_no_after_a_hesitation_cancels(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C005")
    c.say("freeze my card")
    assert c.say("actually no, dont").route == "cancelled"
    assert card_status(assistant_settings, "C005", "3390") == "active"


def test_no_to_a_question_gives_up_the_action(assistant, assistant_settings) -> None:  # noqa: ANN001
    # ... and "forget it" afterwards is not refused as out of scope
    c = Conversation(assistant)
    assert c.say("please freeze my card").route == "ask"
    stopped = c.say("no")
    assert (stopped.route, stopped.intent) == ("cancelled", "freeze_card")
    after = c.say("actually no, forget it")
    assert after.route == "smalltalk" and "Sorry" not in after.reply
    assert c.say("no thanks").intent == "thanks_goodbye"
    assert [card_status(assistant_settings, "C001", d) for d in ("8120", "4417")] == ["active", "active"]
    # Given up in other words, or with why: the question was asked again.
    for give_up in ("actually dont bother, forget it", "actually no leave it, im not moving till next month"):
        c = Conversation(assistant, customer="C002")
        c.say("can i change the address you have for me")
        assert c.say(give_up).route == "cancelled", give_up


def test_address_change_asks_for_each_missing_field(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    first = c.say("I've moved house, can you update my address please")
    assert first.route == "ask" and "postcode" in first.reply
    second = c.say("it's M1 1AE")
    assert second.route == "ask" and "street" in second.reply
    third = c.say("5 New Street, Manchester")
    assert third.route == "confirm" and "5 New Street, Manchester" in third.reply and "M1 1AE" in third.reply
    c.say("yes")
    assert address_of(assistant_settings, "C001") == ("5 New Street, Manchester", "M1 1AE")


def test_a_reply_that_is_no_street_address_is_never_offered_as_one(assistant, assistant_settings) -> None:  # noqa: ANN001
    before = address_of(assistant_settings, "C006")
    c = Conversation(assistant, "C006")
    assert "street" in c.say("I've moved, my new postcode is YO21 3PU").reply
    for junk in ("yes please", "yes", "😀😀😀😀😀", "?????"):
        again = c.say(junk)  # it was offered as the address ("Change your address to yes please, ...?")
        assert again.route == "ask" and "street" in again.reply, junk
    assert c.say("yes").route != "action" and address_of(assistant_settings, "C006") == before
    assert c.say("7 Church Street, Whitby").route == "confirm"


def test_a_short_miss_while_asked_for_a_field_asks_again_and_keeps_the_request(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    c.say("I want to change my address")
    c.say("9 Ash Grove")
    missed = c.say("Manchester")  # was refused as off-topic, and the change forgotten
    assert missed.route == "ask" and missed.reply.startswith("Sorry, I didn't catch that.")
    assert c.say("M14 6AB").route == "confirm" and c.say("👍").tool.status == "ok"  # a thumbs-up is a yes
    assert address_of(assistant_settings, "C001")[1] == "M14 6AB"


def test_another_change_after_one_is_not_the_same_change_again(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("change my phone number to 07700 900321")
    c.say("yes")
    more = c.say("and my email too")  # was "That's already the mobile number we have for you"
    assert more.route == "ask" and "e-mail" in more.reply
    assert c.say("alice2@example.com").route == "confirm" and c.say("yes").tool.status == "ok"
    # An address that can't be one is said plainly and asked for again ("..., so I went without it. What's ...").
    broken = Conversation(assistant, customer="C006").say("change my email to farid@@haddad..com")
    assert broken.route == "ask" and broken.reply.startswith("That e-mail address looks incomplete")
    assert "went without" not in broken.reply and broken.reply.endswith("?")


def test_phone_change(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    reply = c.say("please change my mobile number to 07700 900999")
    assert reply.route == "confirm" and reply.intent == "update_phone_or_email"
    c.say("yes")
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT phone FROM customers WHERE id = 'C001'").fetchone()[0] == "07700 900999"
    # The number we now hold, given again (written another way): nothing to change, nothing to confirm.
    again = c.say("change my mobile to 07700900999")
    assert again.route == "action" and "already" in again.reply and again.tool is None
    # Asking whether a number is ours is a question; and one of ours is never set as the customer's.
    checked = Conversation(assistant, customer="C002")
    asked = checked.say("is 0808 157 0247 really your number?")
    assert asked.intent == "policy_question" and asked.route != "confirm"
    after = checked.say("yes")
    assert after.tool is None or after.tool.tool != "update_contact"
    ours = Conversation(assistant, customer="C002").say("change my phone number to 0808 157 0247")
    assert ours.route == "action" and "one of our own numbers" in ours.reply and ours.tool is None
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT phone FROM customers WHERE id = 'C002'").fetchone()[0] == "07700 900202"


def test_a_no_that_gives_another_email_corrects_the_change(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert "sam@example.org" in c.say("my email is wrong, it should be sam@example.org").reply
    corrected = c.say("no, sam@example.net")  # no digit, no "the ... one": the new value alone says it
    assert corrected.route == "confirm" and "sam@example.net" in corrected.reply
    c.say("yes")
    with bank_db(assistant_settings) as db:  # the corrected address is the one sent a link
        assert db.execute("SELECT email FROM email_changes WHERE customer_id = 'C001'").fetchone()[0] == \
            "sam@example.net"
    again = Conversation(assistant)
    again.say("my email should be sam@example.org")
    assert again.say("no, not sam@example.org").route == "cancelled"  # the value asked about: a plain no


def test_handoff_creates_a_ticket_with_summary_and_fields(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    c.say("I was charged £180 at the restaurant on my card ending 8120 but I only paid £18")
    reply = c.say("I'd like to speak to a person please")
    assert reply.route == "handoff" and reply.ticket_id and reply.ticket_id in reply.reply
    with bank_db(assistant_settings) as db:
        summary, fields = db.execute("SELECT summary, fields FROM tickets WHERE id = ?", (reply.ticket_id,)).fetchone()
    assert "person" in summary and "£180" in summary  # what the customer said before asking
    assert summary.startswith("Handed to a colleague (human handoff)")
    read = json.loads(fields)
    assert isinstance(read, dict)
    # An amount read with its currency is JSON a colleague's tools can read, not Python's "{'amount': ...}".
    assert all(isinstance(json.loads(v), dict) for v in read.values() if v.startswith("{")), read


def test_what_is_told_after_a_hand_off_goes_on_its_ticket(assistant, assistant_settings) -> None:  # noqa: ANN001
    # It was routed afresh (a dispute that found nothing, "I can't find that"), and the colleague never saw it.
    c = Conversation(assistant, customer="C002")
    ticket = c.say("I want to speak to a person").ticket_id
    added = c.say("it's about a payment of £40 to Tesco last Tuesday that I was charged twice for")
    assert added.ticket_id == ticket and ticket in added.reply
    assert c.say("also they were rude in the branch").ticket_id == ticket
    assert c.say("thanks").intent == "thanks_goodbye"  # a goodbye is no detail
    with bank_db(assistant_settings) as db:
        (summary,) = db.execute("SELECT summary FROM tickets WHERE id = ?", (ticket,)).fetchone()
        (count,) = db.execute("SELECT count(*) FROM tickets WHERE customer_id = 'C002'").fetchone()
    assert "£40 to Tesco" in summary and "rude in the branch" in summary and count == 1
    # A request of its own after the hand-off is taken up as one.
    assert c.say("freeze my card").route == "confirm"
    # An acknowledgement is no detail for the colleague.
    other = Conversation(assistant, customer="C005")
    other.say("I want to speak to a person")
    assert other.say("cool").ticket_id is None


def test_yes_to_our_offer_of_a_colleague_hands_the_question_over(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    offered = c.say("do you do mortgages?")  # not in the documents
    assert offered.route == "abstain" and "pass you to a colleague" in offered.reply
    taken = c.say("yes please")
    assert taken.route == "handoff" and taken.ticket_id and taken.ticket_id in taken.reply
    with bank_db(assistant_settings) as db:
        (summary,) = db.execute("SELECT summary FROM tickets WHERE id = ?", (taken.ticket_id,)).fetchone()
    assert "mortgages" in summary  # the question the colleague is to answer
    both = Conversation(assistant)
    both.say("do you do mortgages?")
    more = both.say("yes, and what's my balance?")  # the offer taken, and the further request met
    assert more.ticket_id and more.ticket_id in more.reply and "£1,842.50" in more.reply
    moved_on = Conversation(assistant)
    moved_on.say("do you do mortgages?")
    moved_on.say("what's my balance?")
    assert moved_on.say("yes").route == "smalltalk"  # the offer was two messages ago: nothing to say yes to
    twice = Conversation(assistant)
    twice.say("do you do mortgages?")
    passed = twice.say("ok then yes please pass me on")  # the same hand-off said twice: one ticket, no question
    assert passed.route == "handoff" and "Would you like" not in passed.reply
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 3
    # "ok and ..." moves on with a new question: no yes to the offer (it opened a ticket).
    on = Conversation(assistant)
    on.say("do you do mortgages?")
    assert not on.say("ok and do you do pensions?").ticket_id
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 3


def test_a_hand_off_only_the_classifier_reads_is_asked_before_a_ticket(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    asked = c.say("can i get a loan")  # read as a hand-off, unsure (about 0.5)
    assert asked.route == "ask" and asked.ticket_id is None and "colleague" in asked.reply
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert c.say("yes please").route == "handoff"
    words = Conversation(assistant).say("I'd like to speak to a person please")  # asked for in words: at once
    assert words.route == "handoff" and words.ticket_id


def test_complaint_is_handed_off(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("I want to make a complaint about how my loan application was handled")
    assert reply.route == "handoff" and reply.intent == "complaint" and reply.ticket_id
    # A question about how complaints are handled logs none; a question that is a complaint does.
    asked = Conversation(assistant).say("how long does a complaint take to sort out?")
    assert asked.intent == "policy_question" and not asked.ticket_id
    fed_up = Conversation(assistant).say("why has nobody answered my complaint?")
    assert fed_up.route == "handoff" and fed_up.ticket_id
    # Asking whether it can go further is a question, however fed up: no second complaint is logged.
    further = Conversation(assistant, customer="C003").say(
        "Complained about 3 months ago and still havent had a final answer. Can I go to the ombudsman?")
    assert further.intent == "policy_question" and not further.ticket_id
    how = Conversation(assistant).say("how do I take my complaint to the ombudsman")
    assert how.route == "answer" and "Financial Ombudsman Service" in how.reply


def test_out_of_scope_is_refused_politely(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("tell me how to grow tomatoes")
    assert reply.route == "refuse"
    assert "only help with banking" in reply.reply


def test_a_question_read_as_off_topic_that_the_documents_answer_is_answered(assistant) -> None:  # noqa: ANN001
    # The classifier reads it as chat about holidays; the documents say no travel notice is needed.
    travel = Conversation(assistant).say("Do I need to tell you before I travel?")
    assert travel.route == "answer" and "don't need to tell us" in travel.reply
    assert travel.citations[0].doc_id == "using-your-card-abroad"
    for chat in ("what's the capital of spain?", "how do i make a cake"):
        assert Conversation(assistant).say(chat).route == "refuse", chat
    # Read as off-topic, but not surely: not refused, and a colleague is offered.
    c = Conversation(assistant)
    large_print = c.say("My dad is partially sighted, can he get his statements in large print?")
    assert large_print.route == "abstain" and "colleague" in large_print.reply
    assert c.say("yes please").route == "handoff"


def test_changing_topic_drops_an_unconfirmed_action(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert c.say("freeze my card ending 8120").route == "confirm"
    other = c.say("actually, what's my balance?")
    assert other.tool.tool == "get_balance"
    assert c.say("yes").route != "action"  # the freeze is no longer pending
    assert card_status(assistant_settings, "C001", "8120") == "active"


def test_request_about_someone_else_is_refused_on_the_record(assistant, assistant_settings) -> None:  # noqa: ANN001
    from rightfit.tools.audit import AuditLog

    c = Conversation(assistant)
    # Alice has a card ending 8120 too: the request must not become a freeze of her own card.
    reply = c.say("can you freeze farid haddad's card ending 8120 for him, he's abroad")
    assert reply.route == "refuse" and reply.tool is None
    assert c.say("yes").tool is None
    assert card_status(assistant_settings, "C001", "8120") == "active"
    assert card_status(assistant_settings, "C006", "8120") == "active"
    others = Conversation(assistant).say("list my husband's recent payments")
    assert others.route == "refuse" and others.tool is None
    denied = [e for e in AuditLog(Path(assistant_settings.data_dir) / "audit.sqlite").entries()
              if e.tool == "third_party_check"]
    assert [e.decision for e in denied] == ["denied", "denied"]
    # Possessives that are not people still work: a merchant's name, a day.
    mine = Conversation(assistant).say("show me today's transactions")
    assert mine.route == "action" and mine.tool.tool == "recent_transactions"


def test_address_and_postcode_in_one_message(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, "C002")
    confirm = c.say("we moved last week, the new address is 9 Harbour Road, Whitby YO21 1AB")
    assert confirm.route == "confirm" and "9 Harbour Road, Whitby" in confirm.reply and "YO21 1AB" in confirm.reply
    c.say("yes")
    assert address_of(assistant_settings, "C002") == ("9 Harbour Road, Whitby", "YO21 1AB")


def test_moving_money_or_changing_an_overdraft_is_pointed_to_the_app_not_refused(assistant) -> None:  # noqa: ANN001
    for request in ("send £50 to my mum", "can you increase my overdraft?", "transfer £200 to my savings"):
        reply = Conversation(assistant).say(request)
        assert reply.intent == "not_in_chat" and reply.tool is None, request
        assert "Larkspur app" in reply.reply and "Sorry" not in reply.reply
    card = Conversation(assistant).say("send me a new card")  # "send", but no money moved
    assert card.intent != "not_in_chat"
    question = Conversation(assistant).say("how do I increase my overdraft?")  # a question, not a request
    assert question.route == "answer" and question.citations[0].doc_id == "arranged-overdrafts"
    fee = Conversation(assistant).say("how much does it cost to send money abroad?")
    assert fee.route == "answer" and "£15" in fee.reply


def test_a_field_given_at_a_confirmation_asks_again_and_a_stray_yes_is_told_so(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    c = Conversation(assistant)
    assert "4417" in c.say("freeze my credit card").reply
    again = c.say("the credit one")  # not a yes or a no, but a field of the waiting action: asked again
    assert again.route == "confirm" and "4417" in again.reply
    assert c.say("yes").tool.status == "ok" and card_status(assistant_settings, "C001", "4417") == "frozen"
    stray = c.say("yes")
    assert stray.route == "smalltalk" and stray.tool is None and "nothing waiting" in stray.reply
    assert c.say("ok so what's my balance then").tool.tool == "get_balance"  # "ok ..." is no stray yes


def test_nothing_to_unfreeze_says_what_state_the_cards_are_in(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant, "C002").say("unfreeze my card")
    assert reply.tool is None and "debit card ending 5531 is active" in reply.reply


def test_a_damaged_card_is_answered_from_the_documents_not_blocked_as_lost(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("my card is damaged, can I get a new one?")
    assert reply.intent == "policy_question" and reply.tool is None
    lost = Conversation(assistant).say("I lost my card, I need a new card")
    assert lost.intent == "report_lost_card"
    for worn in ("the chip on my card has worn off", "my card got chewed by the dog"):  # were unfreeze and stolen
        damaged = Conversation(assistant).say(worn)
        assert damaged.intent == "policy_question" and damaged.tool is None, worn


def test_freeze_or_unfreeze_follows_the_verb(assistant) -> None:  # noqa: ANN001
    freeze = Conversation(assistant, "C002").say("need my card freezing asap")
    assert freeze.intent == "freeze_card"


def test_banking_question_the_documents_miss_is_an_abstention_not_a_refusal(assistant) -> None:  # noqa: ANN001
    # Below the intent threshold, but the classifier leans towards a policy question.
    banking = Conversation(assistant).say("can my company pension be moved over to you")
    assert banking.route == "abstain" and "can't find" in banking.reply
    other = Conversation(assistant).say("write me a short poem about autumn leaves")
    assert other.route == "refuse" and "only help with banking" in other.reply
    # (Leaning towards one of the bank's requests, which the documents do not cover, was shown here by a card a
    # cash machine kept, now blocked as lost (see the test above), then by a cloned card, now the fraud team's
    # (see the scam test), then by a card declined, now met with the cards' state (test_conversations_cards).)


@pytest.mark.parametrize("question", ["what number do I call if my card is stolen?",
                                      "what happens if I freeze my card?",
                                      "is there a fee to dispute a transaction?",
                                      # Each was an offer to freeze, block or show a balance:
                                      "Buying a car for £7,500 on Saturday and I'm worried my card will get "
                                      "declined. Can I raise my card spending limit?",
                                      "can I buy bitcoin with my debit card?",
                                      "I found my card down the back of the sofa after reporting it lost yesterday, "
                                      "can I start using it again?",
                                      "how much would it cost me to be £1000 overdrawn for a month",
                                      "How much interest would I get on 10k in the 1 year fixed saver?",
                                      "how much interest would I get on 10k in the 1 year fixed",
                                      # the second half was a freeze, and "yes" froze the card:
                                      "how do i turn on the gambling block and can i turn it off straight away"])
def test_a_question_about_a_card_action_is_answered_not_started(assistant, question: str) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say(question)
    assert reply.route in ("answer", "abstain") and reply.intent == "policy_question"


def test_a_question_about_talking_atms_opens_no_ticket(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("i have a blind relative, can atms talk to her?")  # a ticket, unasked
    assert reply.ticket_id is None and reply.intent == "policy_question"
    assert Conversation(assistant).say("can i talk to someone?").intent == "human_handoff"


def test_a_car_or_a_cat_is_no_card_and_a_card_action_said_not_wanted_is_not_done(assistant, assistant_settings) -> None:  # noqa: ANN001, E501
    for message in ("my car was stolen last night, am I covered?", "I lost my cat, can you help"):
        c = Conversation(assistant, customer="C002")
        reply = c.say(message)  # each was "Block and replace your card ending 5531?"
        assert reply.route != "confirm" and reply.tool is None, message
        c.say("yes")
    assert card_status(assistant_settings, "C002", "5531") == "active"
    found = Conversation(assistant, customer="C002")
    assert found.say("I found my card, no need to block it").intent == "nothing_to_do"  # was a freeze to confirm
    found.say("yes")
    assert card_status(assistant_settings, "C002", "5531") == "active"
    wallet = Conversation(assistant, customer="C002").say("I lost my wallet with my card in it")
    assert wallet.intent == "report_lost_card"  # a wallet holds the card


def test_a_request_kept_for_later_is_a_question_not_a_request(assistant) -> None:  # noqa: ANN001
    later = Conversation(assistant, customer="C005").say("I'm off to Spain next week, can I freeze my card while I'm "
                                                         "away if I need to?")  # was "Freeze your card ending 3390?"
    assert later.intent == "policy_question" and later.route != "confirm"


def test_a_request_worded_as_a_question_still_acts(assistant) -> None:  # noqa: ANN001
    assert Conversation(assistant).say("can you freeze my card ending 8120 please?").route == "confirm"
    assert Conversation(assistant).say("can I freeze my card ending 8120?").route == "confirm"
    # A card gone just now is blocked first, whatever is asked beside it.
    assert Conversation(assistant).say("my card ending 8120 was stolen, will I get a new one?").route == "confirm"


def test_a_range_of_days_in_one_month_is_read_whole(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    for message in ("what did I spend between 1st and 10th November", "what did I spend from 1 Nov to 10 Nov"):
        reply = assistant.run(customer_id="C001", message=message, now=now)
        assert reply.tool.tool == "recent_transactions", message
        assert (str(reply.tool.arguments["since"]), str(reply.tool.arguments["until"])) == ("2026-11-01", "2026-11-10")


def test_requests_the_app_does_not_carry_out_are_answered_from_the_documents(assistant) -> None:  # noqa: ANN001
    # Each of these once started an action the customer did not ask for (a new phone number, a card report ...).
    for message, words in (("whats the premier phone number", "03069 990200"),
                           ("change my name, I just got married", "marriage certificate"),
                           ("I sent money to the wrong person", "wrong account"),
                           ("someone stole my phone with my banking app on it", "block app access")):
        reply = Conversation(assistant, customer="C002").say(message)
        assert reply.route == "answer" and words in reply.reply and reply.tool is None, (message, reply.reply)
    card = Conversation(assistant, customer="C002").say("my card")  # no action said: the cards, nothing changed
    assert card.tool.tool == "customer_cards" and "5531" in card.reply


def test_the_reference_given_earlier_is_said_again(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    ticket = c.say("i want to make a complaint about the app").ticket_id
    again = c.say("what was my reference number again?")
    assert ticket and again.reply == f"Your reference is {ticket}." and again.ticket_id is None  # no new ticket
    # Without one given, the question is read as any other.
    assert "Your reference is" not in Conversation(assistant).say("what's my reference number?").reply
