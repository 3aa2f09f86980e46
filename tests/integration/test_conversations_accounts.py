"""Conversations that read the customer's own accounts: balances, account details and transactions, over the
real stack (intent classifier, parsers, bank tools on SQLite)."""

from __future__ import annotations

import pytest

from tests.integration.chatting import Conversation, bank_db

pytestmark = pytest.mark.integration


def test_balance_reads_only_my_accounts(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("what's my balance?")
    assert reply.route == "action" and reply.tool.tool == "get_balance"
    assert "£1,842.50" in reply.reply and "£12,500.00" in reply.reply
    assert reply.reply.endswith("In all: £14,342.50.")  # "how much have i got in total across everything"
    # With a Cyrillic "а" that looks like the Latin one (it was refused as off-topic).
    lookalike = Conversation(assistant).say("b\u0430lance")
    assert lookalike.tool is not None and lookalike.tool.tool == "get_balance"
    last = Conversation(assistant).say("show me my last paym\u0435nt")  # the parsers read it too: five were listed
    assert last.tool.arguments.get("limit") == 1


def test_balance_of_one_kind_of_account(assistant) -> None:  # noqa: ANN001
    savings = Conversation(assistant).say("how much is in my savings?")
    assert savings.tool.tool == "get_balance" and "£12,500.00" in savings.reply and "£1,842.50" not in savings.reply
    current = Conversation(assistant).say("what's in my current account?")
    assert "£1,842.50" in current.reply and "£12,500.00" not in current.reply
    both = Conversation(assistant).say("how much is in my savings and my current account?")
    assert "£1,842.50" in both.reply and "£12,500.00" in both.reply
    none = Conversation(assistant, customer="C005").say("how much have I got in savings?")
    assert none.reply == "You don't have a savings account with us."


def test_sort_code_and_account_number_of_my_own_accounts(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("what's my sort code?")
    assert reply.tool.tool == "account_details"
    assert "20-45-77" in reply.reply and "41043321" in reply.reply and "41048712" in reply.reply
    savings = Conversation(assistant).say("what's the account number for my savings")
    assert "41048712" in savings.reply and "41043321" not in savings.reply
    other = Conversation(assistant, customer="C002").say("what's my account number?")
    assert "42003118" in other.reply and "41043321" not in other.reply  # only the caller's own
    assert "IBAN" not in reply.reply  # only when asked for, as below
    iban = Conversation(assistant).say("what's my IBAN?")  # was a sentence about the payee's IBAN
    assert "IBAN GB96 LARK 2045 7741 0433 21" in iban.reply and "LARKGB2L" in iban.reply
    assert "LARKGB2L" in Conversation(assistant).say("what's your BIC").reply  # was the balance


def test_the_joint_account_said_plainly_is_the_one_read(assistant) -> None:  # noqa: ANN001
    for said in ("how much is left in the joint one with dan", "whats in the joint account"):
        joint = Conversation(assistant, customer="C003").say(said)  # both her accounts were read
        assert "£3,118.90" in joint.reply and "£4,800.00" not in joint.reply, said
    both = Conversation(assistant, customer="C003").say("hi can u tell me whats in the joint account and my savings")
    assert "£3,118.90" in both.reply and "£4,800.00" in both.reply  # the savings were left out
    spent = Conversation(assistant, customer="C005").say("how much have i blown on deliveroo")  # was the balance
    assert spent.tool.tool == "recent_transactions" and "£76.03" in spent.reply


def test_the_contact_details_we_hold_are_read_back_not_changed(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    held = c.say("what email have you got for me on file")  # it asked for a new number or e-mail
    assert held.tool.tool == "contact_details" and "ben.okafor@example.com" in held.reply
    assert "07700 900202" in held.reply and "alice" not in held.reply.lower()  # the caller's own only
    changed = c.say("change my email to ben@example.org")
    assert changed.route == "confirm" and "ben@example.org" in changed.reply
    # The address too, asked as customers ask it (it started an address change).
    address = Conversation(assistant, customer="C004").say("whats my address on file?")
    assert address.tool.tool == "contact_details" and "88 Mill Lane, Leeds, LS6 2AB" in address.reply
    for asked in ("what address do you have for me?", "which email address is on my account?",
                  "can you read back my contact details"):  # a postcode asked for, the policy, "can't find"
        assert Conversation(assistant, customer="C004").say(asked).tool.tool == "contact_details", asked
    after = Conversation(assistant, customer="C004")  # right after a change, and "and email?": no new change
    after.say("whats my address on file now")
    assert after.say("and email?").tool.tool == "contact_details"


def test_the_number_held_is_read_while_its_change_waits(assistant, assistant_settings) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    assert c.say("update my phone number to 07700 900888").route == "confirm"
    held = c.say("hang on whats my current one?")  # was "I can't find that", and the change was lost
    assert "07700 900202" in held.reply and held.route == "confirm"
    assert held.reply.endswith("Change your phone number to 07700 900888? Reply yes to go ahead or no to cancel.")
    assert c.say("yes go on").route == "action"
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT phone FROM customers WHERE id = 'C002'").fetchone()[0] == "07700 900888"


def test_a_new_email_changes_when_its_link_is_clicked(assistant, assistant_settings) -> None:  # noqa: ANN001
    # The documents: a link is sent to the new address and the address changes when it is clicked; the reply
    # said "Done" and the address changed at once.
    c = Conversation(assistant, customer="C002")
    assert "send a link" in c.say("change my email to ben@example.org").reply
    sent = c.say("yes")
    assert "link to ben@example.org" in sent.reply and "Done" not in sent.reply
    with bank_db(assistant_settings) as db:
        assert db.execute("SELECT email FROM customers WHERE id = 'C002'").fetchone()[0] == "ben.okafor@example.com"
    held = c.say("what email have you got for me on file")
    assert "ben.okafor@example.com (the change to ben@example.org happens when you click" in held.reply
    # A new number changes at once, and payments to new payees wait a day.
    phone = Conversation(assistant, customer="C002")
    phone.say("my new mobile is 07700 900777")
    assert "payments to new payees will be held" in phone.say("yes").reply


def test_transactions_of_one_merchant_or_account_kind_with_their_total(assistant) -> None:  # noqa: ANN001
    spent = Conversation(assistant).say("how much did I spend on trainline?")
    rows = spent.tool.result["transactions"]
    assert rows and {t["merchant"] for t in rows} == {"Trainline"}
    total = -sum(float(t["amount"].replace("£", "").replace(",", "")) for t in rows)
    assert f"In all: £{total:,.2f} out." in spent.reply
    savings = Conversation(assistant).say("show my savings transactions")
    assert {t["account"] for t in savings.tool.result["transactions"]} == {"Easy Saver"}
    # Two of the customer's payees in one request: each listed with its own total.
    two = Conversation(assistant).say("show me my Tesco and Boots transactions")
    assert "Your Tesco transactions:" in two.reply and "Your Boots transactions:" in two.reply
    assert "In all: £66.30 out." in two.reply and "In all: £13.76 out." in two.reply
    lower = Conversation(assistant).say("show my tesco and boots transactions")  # in lower case: only Boots was shown
    assert "Your Tesco transactions:" in lower.reply and "Your Boots transactions:" in lower.reply
    # A bare payee of theirs asked for, which the classifier calls off-topic: their payments, not a refusal.
    bare = Conversation(assistant, customer="C002")
    named = bare.say("show me deliveroo")
    assert named.tool.tool == "recent_transactions" and "Your Deliveroo transactions" in named.reply
    month = bare.say("what about last month only").tool.arguments  # was every payment of the month
    assert month["merchant"] == "Deliveroo" and str(month["since"]).endswith("-01")
    assert Conversation(assistant, customer="C002").say("show me how to bake bread").route == "refuse"
    # Unsure, leaning to a question, with payments next: a payee of theirs named makes it the payments.
    netflix = Conversation(assistant, customer="C006").say("netflix payments?")  # was "I can't find that"
    assert netflix.tool.tool == "recent_transactions" and "Your Netflix transactions" in netflix.reply
    abroad = Conversation(assistant).say("can i use my everyday card in the US")  # only reads are taken so
    assert abroad.tool is None or abroad.tool.tool != "unfreeze_card"
    # Nor a read the app's words rule out: a question about closing the joint account is no balance request.
    close = Conversation(assistant, customer="C003").say("can daniel close our joint account without me agreeing?")
    assert close.tool is None
    at = Conversation(assistant).say("how much have i spent at boots and sainsburys in total")  # only Boots
    assert "Your Boots transactions (money out)" in at.reply and "Your Sainsbury's transactions (money out)" in at.reply


def test_an_account_named_by_its_product_is_the_one_read(assistant) -> None:  # noqa: ANN001
    # Farid has two current accounts: the kind does not tell them apart, the name does.
    premier = Conversation(assistant, customer="C006").say("show me my premier account transactions")
    assert {t["account"] for t in premier.tool.result["transactions"]} == {"Premier Account"}
    assert premier.reply.startswith("Your latest Premier Account transactions:")
    everyday = Conversation(assistant, customer="C006").say("whats the balance of my everyday account")
    assert "Everyday Account" in everyday.reply and "Premier" not in everyday.reply
    # A card named by its account: Farid's two debit cards are on his Everyday and Premier accounts.
    card = Conversation(assistant, customer="C006").say("freeze my premier card")
    assert card.route == "confirm" and "8120" in card.reply and "9042" not in card.reply


def test_a_rate_question_about_my_account_is_answered_from_the_documents(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("what's the interest rate on my easy saver?")
    assert reply.route == "answer" and "3.10% AER" in reply.reply
    loan = Conversation(assistant).say("what's the interest on my loan")  # no "rate", the same question
    assert loan.tool is None and loan.route in ("answer", "abstain")


def test_how_much_one_may_borrow_or_pay_in_is_a_limit_not_a_balance(assistant) -> None:  # noqa: ANN001
    loan = Conversation(assistant).say("whats the most i can borrow on a personal loan")
    assert loan.tool is None and loan.route == "answer" and "£35,000" in loan.reply
    isa = Conversation(assistant).say("how much can i put in a cash isa this year")
    assert isa.tool is None and "£20,000" in isa.reply
    left = Conversation(assistant).say("how much can i spend this week")  # what is left: the balance
    assert left.tool is not None and left.tool.tool == "get_balance"


def test_my_direct_debits_are_not_answered_with_my_latest_transactions(assistant) -> None:  # noqa: ANN001
    for request in ("list my direct debits", "what are my standing orders?"):
        reply = Conversation(assistant).say(request)
        assert reply.tool is None and "Payments, then Direct debits" in reply.reply, request
    went_out = Conversation(assistant).say("show my standing orders that went out in november")
    assert went_out.tool is not None and went_out.tool.tool == "recent_transactions"  # those are transactions


def test_when_statements_come_is_a_policy_question_not_a_transaction_list(assistant) -> None:  # noqa: ANN001
    for question in ("when is my next statement?", "whens my next statment", "how often do i get a statement",
                     "when's my payment due", "when is my credit card bill due?"):
        reply = Conversation(assistant).say(question)
        assert reply.tool is None and reply.route in ("answer", "abstain"), question
    # Beside a rate question it was a search of the transactions for a payee "due".
    both = Conversation(assistant).say("whats the credit card interest rate and when's my payment due")
    assert both.tool is None and "due transactions" not in both.reply
    shown = Conversation(assistant).say("could you pull up my latest statement please")
    assert shown.tool is not None and shown.tool.tool == "recent_transactions"


def test_overdraft_limit_is_not_answered_with_a_balance(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("what's my overdraft limit?")
    assert reply.intent == "overdraft_limit" and reply.tool is None and "£" not in reply.reply


def test_what_is_owed_on_a_credit_card_is_not_answered_with_a_balance(assistant) -> None:  # noqa: ANN001
    for question in ("what do I owe on my credit card", "what's my credit card balance?"):
        reply = Conversation(assistant).say(question)
        assert reply.intent == "check_balance" and reply.tool is None and "£" not in reply.reply, question
        assert "statement" in reply.reply


def test_recent_transactions(assistant) -> None:  # noqa: ANN001
    reply = Conversation(assistant).say("show me my recent transactions")
    assert reply.route == "action" and reply.tool.tool == "recent_transactions"
    assert len(reply.tool.result["transactions"]) == 5
    three = Conversation(assistant).say("show me my last 3 transactions")
    assert len(three.tool.result["transactions"]) == 3
    assert len(Conversation(assistant).say("my last 50 payments").tool.result["transactions"]) > 5  # 20 at most


def test_merchant_named_in_lower_case_filters_transactions(assistant, assistant_settings) -> None:  # noqa: ANN001
    with bank_db(assistant_settings) as db:
        merchant = db.execute(
            "SELECT t.merchant FROM transactions t JOIN account_holders h ON h.account_id = t.account_id "
            "WHERE h.customer_id = 'C001' AND t.amount_pence < 0 GROUP BY t.merchant ORDER BY count(*) DESC"
        ).fetchone()[0]
    reply = Conversation(assistant).say(f"show me just my {merchant.lower()} payments")
    assert reply.route == "action" and reply.tool.tool == "recent_transactions"
    rows = reply.tool.result["transactions"]
    assert rows and {r["merchant"] for r in rows} == {merchant}


def test_transactions_for_a_period_are_only_that_periods(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    now = datetime(2026, 11, 21, 10, tzinfo=UTC)
    day = assistant.run(customer_id="C001", message="what did I spend on 19 November?", now=now)
    assert day.tool.tool == "recent_transactions" and day.tool.result["transactions"]
    assert {t["date"] for t in day.tool.result["transactions"]} == {"2026-11-19"}
    assert "on 2026-11-19" in day.reply
    week = assistant.run(customer_id="C001", message="show me my transactions from last week", now=now)
    dates = {t["date"] for t in week.tool.result["transactions"]}
    assert dates and all("2026-11-09" <= d <= "2026-11-15" for d in dates), dates
    none = assistant.run(customer_id="C001", message="what did I spend yesterday?", now=now)
    assert none.tool.result["transactions"] == [] and "on 2026-11-20" in none.reply
    after = datetime(2026, 11, 17, 10, tzinfo=UTC)
    yesterday = assistant.run(customer_id="C001", message="show me my transactions from yesterday", now=after)
    assert {t["date"] for t in yesterday.tool.result["transactions"]} == {"2026-11-16"}  # that day's, not since


def test_a_follow_up_naming_another_of_my_merchants_repeats_the_action(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant)
    assert {t["merchant"] for t in c.say("show me my tesco payments").tool.result["transactions"]} == {"Tesco"}
    again = c.say("and trainline?")
    assert again.tool.tool == "recent_transactions"
    assert {t["merchant"] for t in again.tool.result["transactions"]} == {"Trainline"}
    # "what about ..." with a merchant, which the classifier confidently calls off-topic, is a follow-up too;
    # "sainsburys" is "Sainsbury's" on the statement.
    other = Conversation(assistant, customer="C002")
    other.say("show me what i spent in november")
    follow = other.say("what about at sainsburys")
    assert follow.tool is not None and follow.tool.tool == "recent_transactions"
    assert {t["merchant"] for t in follow.tool.result["transactions"]} == {"Sainsbury's"}


def test_a_follow_up_period_is_read_next_to_the_one_just_shown(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    session = None

    def say(message: str):  # noqa: ANN202
        nonlocal session
        reply = assistant.run(customer_id="C002", message=message, session_id=session, now=now)
        session = reply.session_id
        return reply

    assert "from 2026-11-23 to 2026-11-29" in say("how much did I spend last week?").reply
    before = say("and the week before?")
    assert "from 2026-11-16 to 2026-11-22" in before.reply and "SP DIGITAL -£18.99" in before.reply
    assert "from 2026-11-09 to 2026-11-15" in say("and before that?").reply
    say("show my transactions in november")
    month = say("and the month before?")
    assert "from 2026-10-01 to 2026-10-31" in month.reply and "Boots -£4.10" in month.reply
    # A follow-up keeps what it does not change: the merchant, then the bound, stay as they were.
    assert "Shell transactions from 2026-10-01 to 2026-10-31" in say("and at shell?").reply
    november = say("and the month after?")
    assert "Shell transactions from 2026-11-01" in november.reply and "Boots" not in november.reply
    say("show payments over £50 last month")
    assert "of over £50.00 from 2026-10-01 to 2026-10-31" in say("and the month before?").reply


def test_this_months_payments_end_today(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    month = Conversation(assistant).say("what did i spend this month")  # "to 2026-12-31" was said on the 8th
    assert str(month.tool.arguments["until"]) == datetime.now(UTC).date().isoformat()


def test_transactions_over_under_or_between_amounts(assistant) -> None:  # noqa: ANN001
    over = Conversation(assistant).say("show me payments over £50")
    amounts = [t["amount"] for t in over.tool.result["transactions"]]
    assert over.tool.tool == "recent_transactions" and "over £50.00" in over.reply and amounts
    assert all(abs(float(a.replace("£", "").replace(",", ""))) >= 50 for a in amounts)
    between = Conversation(assistant).say("show payments between £20 and £30")
    assert "Tesco -£22.08" in between.reply and "Tesco -£44.22" not in between.reply
    words = Conversation(assistant).say("show payments between five and ten pounds")  # was "over £15.00"
    assert "of over £5.00 and under £10.00" in words.reply and "Boots -£8.40" in words.reply
    shown = Conversation(assistant).say("show me payments over £40")  # was "I can't find that in our policies"
    assert shown.tool.tool == "recent_transactions" and "Tesco -£44.22" in shown.reply
    empty = Conversation(assistant).say("show my transactions from last week")  # the data ends in November
    assert "couldn't find any" in empty.reply and "Your latest transaction is from 2026-11-19." in empty.reply


def test_spending_at_a_merchant_in_lower_case_is_read_from_the_transactions(assistant) -> None:  # noqa: ANN001
    # The classifier is unsure of this one; naming one of the customer's own merchants settles it.
    spent = Conversation(assistant).say("how much did I spend at tesco")
    assert spent.tool.tool == "recent_transactions" and "In all: £66.30 out." in spent.reply
    asked = Conversation(assistant).say("what did I spend over 100 quid in november")
    assert asked.tool.tool == "recent_transactions" and "of over £100.00" in asked.reply
    from datetime import UTC, datetime

    spending = assistant.run(customer_id="C001", message="what did I spend in november?",  # money out only
                             now=datetime(2026, 12, 6, 10, tzinfo=UTC))
    assert "(money out)" in spending.reply and "Salary" not in spending.reply and "£227.10 out." in spending.reply
    passing = Conversation(assistant).say("I've spent too much this month, what's my balance?")  # said, not asked
    assert passing.tool.tool == "get_balance"
    none = Conversation(assistant).say("when did i last pay netflix")  # not a merchant of theirs: said so
    assert none.tool.tool == "recent_transactions" and "couldn't find any matching netflix" in none.reply
    lately = Conversation(assistant).say("how much have i been spending at tesco lately")
    assert lately.tool.tool == "recent_transactions" and "Tesco" in lately.reply
    limit = Conversation(assistant).say("how much spending money have I got left?")  # what is left
    assert limit.tool.tool == "get_balance"


def test_a_joint_account_holder_is_no_stranger_for_what_the_caller_may_see(assistant) -> None:  # noqa: ANN001
    # Chloe (C003) holds ACC-300742 with Daniel (C004): both see everything on it.
    joint = Conversation(assistant, customer="C003").say("what's my husband's balance? we have a joint account")
    assert joint.route == "action" and "ACC-300742" in joint.reply
    named = Conversation(assistant, customer="C003").say("show me Daniel's transactions")
    assert named.tool.tool == "recent_transactions" and named.tool.result["transactions"]
    assert named.tool.arguments.get("merchant") is None  # "Daniel's" is the holder, not a payee
    assert "Trainline -£85.01" in named.reply and "Trainline -£86.74" not in named.reply  # his card's, not hers
    spent = Conversation(assistant, customer="C003").say("how much did daniel spend on trainline")  # was refused
    assert "In all: £116.19 out." in spent.reply
    misspelt = Conversation(assistant, customer="C003").say("what did danial spend at pret")  # one slip
    assert "made with Daniel's cards" in misspelt.reply and "In all: £15.92 out." in misspelt.reply
    plain = Conversation(assistant, customer="C003").say("show me daniels card payments")  # no apostrophe
    assert "made with Daniel's cards" in plain.reply
    his = Conversation(assistant, customer="C003").say("what has daniel spent on his card")  # "his" was refused
    assert "made with Daniel's cards" in his.reply and "Trainline -£85.01" in his.reply
    assert Conversation(assistant, customer="C003").say("what has ben spent on his card").route == "refuse"
    # A joint holder's own contact details are his, not the joint account's: refused, never hers given as his.
    details = Conversation(assistant, customer="C003").say("what email have you got on file for daniel, his one")
    assert details.route == "refuse" and "chloe" not in details.reply.lower()
    # Named as the one not meant: her own card's payments (it showed exactly his).
    own = Conversation(assistant, customer="C003").say("just my own spending on the joint acct pls, not daniels")
    assert "with your own cards" in own.reply and "Trainline -£86.74" in own.reply and "£85.01" not in own.reply
    # Both of them: nobody's payments left out.
    both = Conversation(assistant, customer="C003").say("show the transactions for me and daniel on the joint account")
    assert "Trainline -£86.74" in both.reply and "Trainline -£85.01" in both.reply
    assert "Trainline -£85.01 (Daniel's card)" in both.reply  # whose, where both are listed
    assert "Trainline -£86.74 (" not in both.reply  # hers are hers
    # Changing something stays the customer's own business: Daniel's card is his.
    assert Conversation(assistant, customer="C003").say("freeze Daniel's card").route == "refuse"
    moved = Conversation(assistant, customer="C003").say("update the address for me and daniel to 9 Elm Grove, "
                                                         "Leeds LS8 1QT")  # hers changed; his, said to be his to do
    assert moved.route == "confirm" and "Daniel needs to contact us themselves" in moved.reply
    # And no joint account, no exception.
    assert Conversation(assistant).say("what's Ben's balance").route == "refuse"


def test_the_biggest_or_smallest_payments_come_first(assistant) -> None:  # noqa: ANN001
    biggest = Conversation(assistant).say("show my biggest payments")
    amounts = [float(t["amount"].replace("£", "").replace(",", "")) for t in biggest.tool.result["transactions"]]
    assert biggest.reply.startswith("Your largest transactions (money out):") and len(amounts) == 5
    assert amounts == sorted(amounts) and amounts[0] == -62.54  # payments: money out, the largest first
    smallest = Conversation(assistant).say("my 3 smallest purchases in november")
    assert [t["merchant"] for t in smallest.tool.result["transactions"]] == ["Boots", "Pret A Manger", "TfL Travel"]
    assert "In all" not in smallest.reply  # the sum of the three smallest is nobody's question
    paid = Conversation(assistant).say("when did I last get paid?")  # money in, the salary among it
    assert "(money in)" in paid.reply and "Salary £2,450.00" in paid.reply and "TfL" not in paid.reply


def test_a_short_follow_up_names_a_payee_or_a_month(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    now, session = datetime(2026, 12, 6, 10, tzinfo=UTC), None

    def say(message: str):  # noqa: ANN202
        nonlocal session
        reply = assistant.run(customer_id="C001", message=message, session_id=session, now=now)
        session = reply.session_id
        return reply

    say("show my Boots payments")
    pret = say("and Pret?")  # the start of a payee's name, as a bare reply would give it
    assert {t["merchant"] for t in pret.tool.result["transactions"]} == {"Pret A Manger"}
    total = say("and in total?")  # no payee of theirs: never a search for a payee called "total"
    assert total.tool is None or total.tool.arguments.get("merchant") is None
    say("how much did i spend on trainline in october")
    november = say("and november?")  # a month named alone
    assert "Trainline transactions (money out) from 2026-11-01 to 2026-11-30" in november.reply
    both = assistant.run(customer_id="C001", message="what did I spend on trainline in october and november", now=now)
    assert "from 2026-10-01 to 2026-11-30" in both.reply and "-£62.54" in both.reply and "-£21.50" in both.reply


def test_spending_on_one_of_my_cards(assistant) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    credit = assistant.run(customer_id="C001", message="how much did I spend on my credit card in november",
                           now=datetime(2026, 12, 6, 10, tzinfo=UTC))  # was both cards' spending
    assert "with your credit card" in credit.reply and "In all: £104.00 out." in credit.reply
    own = assistant.run(customer_id="C003", message="how much did I spend on my card in november",
                        now=datetime(2026, 12, 6, 10, tzinfo=UTC))  # was the whole joint account's spending
    assert "with your own cards" in own.reply and "In all: £194.16 out." in own.reply  # card 2208 alone
    card = Conversation(assistant, customer="C003").say("show card 2208 transactions")
    assert {t["merchant"] for t in card.tool.result["transactions"]} and "Pret A Manger -£9.02" not in card.reply
    debit = Conversation(assistant).say("what did i spend with my debit card")  # was the card limits
    assert debit.tool.tool == "recent_transactions" and "with your debit card" in debit.reply


def test_a_payee_misspelt_by_one_slip_is_the_customers_own(assistant) -> None:  # noqa: ANN001
    slip = Conversation(assistant, customer="C005").say("how much did i spend on delivroo")  # was all 14 payments
    assert "Your Deliveroo transactions" in slip.reply and "In all: £76.03 out." in slip.reply
    typed = Conversation(assistant).say("how much did i spend at traineline")  # was "couldn't find any"
    assert "Your Trainline transactions" in typed.reply
    word = Conversation(assistant).say("show my transfers")  # a real word is no slip for "Transfer in"
    assert word.tool is None or word.tool.arguments.get("merchant") != "Transfer in"



def test_payments_narrowed_by_card_amount_or_month_are_listed(assistant) -> None:  # noqa: ANN001
    # Neither a balance nor a policy question: the customer's own payments, filtered as asked.
    card = Conversation(assistant, customer="C006").say("amazon purchases on my premier card")
    assert card.tool.tool == "recent_transactions" and "Amazon" in card.reply and "Premier" in card.reply
    month = Conversation(assistant).say("what did i put on my credit card in october")
    assert month.tool.tool == "recent_transactions" and "credit card from 2026-10-01 to 2026-10-31" in month.reply
    asked = Conversation(assistant).say("are there fees on purchases abroad in november?")
    assert asked.tool is None  # what payments cost is for the documents
    details = Conversation(assistant, customer="C006").say("account no for the premier please")
    assert details.tool.tool == "account_details" and "Premier Account" in details.reply


def test_another_read_pointing_back_keeps_the_account_just_shown(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    assert "ACC-600981" in c.say("what's the sort code for my premier account").reply
    balance = c.say("and the balance on that one too")  # it answered about joint holders' details
    assert balance.tool.tool == "get_balance" and "Premier Account (ACC-600981)" in balance.reply
    assert "ACC-600044" not in balance.reply
    listed = c.say("and the transactions on that one")
    assert listed.tool.tool == "recent_transactions" and listed.tool.arguments.get("account_id") == "ACC-600981"


def test_the_other_account_is_the_one_not_just_shown(assistant) -> None:  # noqa: ANN001
    # Each account has several names ("Everyday Account", "Everyday"): one other account, not a standing-order
    # sentence from the documents.
    c = Conversation(assistant, customer="C006")
    assert "ACC-600044" in c.say("account details for the everyday one pls").reply
    other = c.say("and the other one?")
    assert other.tool.tool == "account_details" and "ACC-600981" in other.reply and "ACC-600044" not in other.reply
    # The account a kind named ("current") is the one shown; the other is the other account, without that kind.
    kind = Conversation(assistant)
    kind.say("balance on my current account")
    assert "Easy Saver (ACC-104871) balance is £12,500.00." in kind.say("and the other one?").reply  # a docs line
    # After every account was shown, there is no other one (it quoted a line from the documents); the IBAN "for
    # that" is the same accounts', and "my BIC" the bank's (the balances were given).
    every = Conversation(assistant)
    every.say("whats my account number")
    assert every.say("and the other one?").reply == "That was all of yours: there's no other one to show."
    iban = every.say("whats the iban for that")
    assert "GB96 LARK 2045 7741 0433 21" in iban.reply and "GB39 LARK 2045 7741 0487 12" in iban.reply
    assert "LARKGB2L" in Conversation(assistant, customer="C006").say("whats my BIC").reply



def test_a_cards_transactions_by_its_digits_then_the_other_cards(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C006")
    shown = c.say("show my 9042 transactions")  # both cards' payments were mixed
    assert shown.tool.arguments.get("card_last4") == "9042" and "ending 9042" in shown.reply
    other = c.say("and the other card?")  # was a line from the documents
    assert other.tool.arguments.get("card_last4") == "8120" and "ending 8120" in other.reply
    # The latest five of the card's thirteen payments: no sum that reads as the card's total ("In all: £119.38").
    assert "(the latest 5)" in other.reply and "In all" not in other.reply


def test_my_last_transaction_is_one(assistant) -> None:  # noqa: ANN001
    last = Conversation(assistant).say("show my last transaction")
    assert last.tool.tool == "recent_transactions" and len(last.tool.result["transactions"]) == 1


def test_my_details_and_a_rate_asked_together_are_both_given(assistant) -> None:  # noqa: ANN001
    # Blocked as an attack, then (with the guard trained on such messages) the rate was dropped: the first "and"
    # joins two details of one request, "and also" the question.
    both = Conversation(assistant).say("can you give me my sort code and account number for the savings and also "
                                       "tell me the interest rate")
    assert both.route == "action" and "41048712" in both.reply
    assert "3.10% AER variable" in both.reply and "Fixed Saver" not in both.reply  # the savings' rate


def test_spending_on_a_category_lists_its_payees_payments(assistant) -> None:  # noqa: ANN001
    c = Conversation(assistant, customer="C002")
    fuel = c.say("how much have i spent on fuel")  # all 14 payments, "In all: £588.09 out"
    assert fuel.tool.arguments.get("category") == "fuel" and "In all: £242.44 out." in fuel.reply
    assert {t["merchant"] for t in fuel.tool.result["transactions"]} == {"Shell"}
    assert "Trainline" in c.say("and on trains").reply  # the follow-up names another category
    none = Conversation(assistant, customer="C004").say("how much did i spend on trains in october")
    assert "couldn't find any matching train transactions" in none.reply  # not every October payment
    assert Conversation(assistant).say("how much do i spend on takeaways").intent == "recent_transactions"
    # A category word in a question the classifier is unsure of is no request for payments.
    assert Conversation(assistant).say("can i use my card for travel abroad").tool is None
