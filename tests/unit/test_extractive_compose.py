"""How the extractive answer quotes its chosen sentence: a sentence that opens by pointing back ("It",
"This limit") is quoted with the sentence(s) it points back to, never across chunks or out of a list."""

from __future__ import annotations

from rightfit.answer.extractive import ExtractiveAnswerer
from rightfit.types import Answer, Chunk, Hit
from tests.fakes import HashingEmbedder


def _answer(text: str, quoted: str, *, chunk_id: str = "c#0") -> Answer:
    chunk = Chunk(chunk_id=chunk_id, doc_id="contactless", title="Contactless payments",
                  section=("Contactless payments", "Contactless limit"), text=text, start=0, end=len(text))
    answerer = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0, max_sentences=1)
    sentences, scores = answerer.score(question="what is the contactless limit?",
                                       hits=[Hit(row=0, chunk_id=chunk_id, score=1.0, retriever="rrf", chunk=chunk)])
    best = next(i for i, s in enumerate(sentences) if s.text.startswith(quoted))
    return answerer.compose(question="what is the contactless limit?", sentences=sentences, scores=scores,
                            best=best, confidence=0.9)


def test_a_sentence_that_points_back_is_quoted_with_what_it_points_to() -> None:
    text = ("You can pay up to £100 per transaction by tapping your card.\n\n"
            "This limit is the same for every card. It is set per transaction, not per day.")
    answer = _answer(text, "It is set")
    assert answer.text == ("You can pay up to £100 per transaction by tapping your card. This limit is the same "
                           "for every card. It is set per transaction, not per day.")
    assert [c.quote for c in answer.citations] == [
        "You can pay up to £100 per transaction by tapping your card.", "This limit is the same for every card.",
        "It is set per transaction, not per day."]
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)  # offsets still point at the quote


def test_at_most_two_sentences_are_added_and_a_plain_sentence_stands_alone() -> None:
    text = "Intro sentence here. It covers cards. This covers more. It is set per transaction."
    assert _answer(text, "It is set").text == "It covers cards. This covers more. It is set per transaction."
    assert _answer("Cards have limits. Contactless is capped at £100.", "Contactless").text == \
        "Contactless is capped at £100."


def test_a_list_item_is_not_taken_as_what_a_sentence_points_back_to() -> None:
    text = "Limits:\n- £100 contactless\nThey apply to every card."
    assert _answer(text, "They apply").text == "They apply to every card."


def test_an_item_of_a_short_list_or_its_lead_in_is_answered_with_the_whole_list() -> None:
    text = ("You can change your PIN at:\n\n- any Larkspur ATM;\n- most other ATMs in the UK.\n\n"
            "Insert your card and choose PIN services.")
    whole = "You can change your PIN at: any Larkspur ATM; most other ATMs in the UK."
    for quoted in ("You can change", "any Larkspur", "most other"):
        answer = _answer(text, quoted)
        assert answer.text == whole, quoted
        (citation,) = answer.citations
        assert citation.quote == text[citation.start : citation.end] and citation.quote.endswith("in the UK.")


def test_a_long_list_or_a_colon_without_a_list_is_quoted_as_before() -> None:
    items = "\n".join(f"- option {n};" for n in range(1, 7))
    assert _answer(f"You can choose from:\n{items}", "option 3").text == "You can choose from: option 3;"
    # The lead-in itself answering best says nothing without its items: a list of up to eight is quoted whole.
    assert _answer(f"You can choose from:\n{items}", "You can choose").text == \
        "You can choose from: " + " ".join(f"option {n};" for n in range(1, 7))
    many = "\n".join(f"- option {n};" for n in range(1, 10))
    assert _answer(f"You can choose from:\n{many}", "You can choose").text == "You can choose from:"
    # A colon that no list follows: never the list further down the chunk.
    assert _answer("Please note:\nKeep your PIN secret.\n\nYou can:\n- call us\n- write", "Please note").text == \
        "Please note:"


def test_irregular_past_forms_meet_their_verb() -> None:
    from rightfit.answer.extractive import content_terms

    assert {"forget", "pin"} <= content_terms("I forgot my PIN") & content_terms("If you've forgotten your PIN")
    assert "steal" in content_terms("my card was stolen") & content_terms("someone stole it")
    assert content_terms("my card is frozen") == content_terms("freeze my card")


def test_a_short_sentence_ending_on_a_bare_auxiliary_brings_the_one_before() -> None:
    text = ("Paying in at the Post Office doesn't count towards your daily ATM withdrawal limit. "
            "Withdrawing cash at the Post Office does.")
    assert _answer(text, "Withdrawing").text == text
    long = "Cards have limits. We'll help you plan your repayments and help you pay more each month if you can."
    assert _answer(long, "We'll help").text == long.split(". ", 1)[1]


def test_a_sentence_about_the_page_itself_is_not_quoted_as_the_answer() -> None:
    text = ("This page explains statements and how to get copies of a statement.\n\n"
            "If you need a copy of a statement, you can download it from the app.")
    chunk = Chunk(chunk_id="s#0", doc_id="statements", title="Statements", section=("Statements",), text=text,
                  start=0, end=len(text))
    answerer = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0)
    hits = [Hit(row=0, chunk_id="s#0", score=1.0, retriever="rrf", chunk=chunk)]
    sentences, scores = answerer.score(question="how do I get copies of a statement?", hits=hits)
    assert sentences[0].text.startswith("This page") and scores[0] > 0  # a candidate still, scored down
    answer = answerer.run(question="how do I get copies of a statement?", hits=hits)
    assert answer.text == "If you need a copy of a statement, you can download it from the app."


def test_a_lead_in_quoted_as_the_neighbour_is_said_once() -> None:
    import numpy as np

    text = ("You can freeze and unfreeze your card as often as you like.\n\nWhile your card is frozen, we "
            "decline:\n\n- card payments in shops, online and by phone;\n- contactless payments;\n- Apple Pay "
            "payments;\n- ATM cash withdrawals;\n- recurring card payments.")  # too long a list to quote whole
    chunk = Chunk(chunk_id="f#0", doc_id="freezing", title="Freezing", section=("Freezing",), text=text, start=0,
                  end=len(text))
    answerer = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0, max_sentences=2)
    hits = [Hit(row=0, chunk_id="f#0", score=1.0, retriever="rrf", chunk=chunk)]
    sentences, _ = answerer.score(question="can I freeze my card?", hits=hits)
    item = next(i for i, s in enumerate(sentences) if "card payments" in s.text)
    scores = np.zeros(len(sentences), dtype=np.float32)
    scores[item], scores[item - 1] = 0.9, 0.8  # the lead-in line scores next: it is quoted as the neighbour
    answer = answerer.compose(question="can I freeze my card?", sentences=sentences, scores=scores, best=item,
                              confidence=0.9)
    assert answer.text is not None and answer.text.count("While your card is frozen, we decline:") == 1


def test_a_list_item_quoted_beside_a_sentence_after_its_list_keeps_its_lead_in() -> None:
    import numpy as np

    text = ("To unblock your PIN:\n\n- in the app: go to Cards and tap Unblock PIN;\n- by phone: call Customer "
            "Services on 03069 990100.\n\nIf you've forgotten your PIN, view it in the app before you unblock it.")
    chunk = Chunk(chunk_id="p#0", doc_id="pin", title="PIN", section=("PIN",), text=text, start=0, end=len(text))
    answerer = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0, max_sentences=2)
    hits = [Hit(row=0, chunk_id="p#0", score=1.0, retriever="rrf", chunk=chunk)]
    sentences, _ = answerer.score(question="i've forgotten my pin", hits=hits)
    best = next(i for i, s in enumerate(sentences) if s.text.startswith("If you've forgotten"))
    scores = np.zeros(len(sentences), dtype=np.float32)
    scores[best], scores[best - 1] = 0.9, 0.8  # the list's last item scores next
    answer = answerer.compose(question="i've forgotten my pin", sentences=sentences, scores=scores, best=best,
                              confidence=0.9)
    assert answer.text == ("To unblock your PIN: by phone: call Customer Services on 03069 990100. If you've "
                           "forgotten your PIN, view it in the app before you unblock it.")  # opened "by phone: ..."
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)


def test_a_line_that_introduces_a_table_is_quoted_with_the_table() -> None:
    text = ("The interest-free limit depends on your year of study:\n\n| Year | Limit |\n|---|---|\n"
            "| Year 1 | up to £1,000 |\n| Year 2 | up to £1,500 |\n\nAsk us to raise it each year.")
    answer = _answer(text, "The interest-free")
    assert answer.text == ("The interest-free limit depends on your year of study: Year 1: up to £1,000. "
                           "Year 2: up to £1,500.")
    (citation,) = answer.citations
    assert citation.quote == text[citation.start : citation.end] and citation.quote.endswith("£1,500 |")


def test_a_table_row_is_never_a_neighbour_and_a_long_table_row_keeps_its_column_names() -> None:
    rows = "\n".join(f"| Account {n} | {n}% |" for n in range(1, 9))
    text = f"| Account | Rate |\n|---|---|\n{rows}\nUnarranged overdrafts are charged at the same rate."
    assert _answer(text, "Unarranged").text == "Unarranged overdrafts are charged at the same rate."
    assert _answer(text, "Account 3").text == "Account: Account 3; Rate: 3%"
