from __future__ import annotations

from pathlib import Path

import pytest

from rightfit.assistant.qa import QAPipeline, clean_query
from rightfit.core.errors import InvalidInputError
from rightfit.core.settings import Settings
from rightfit.ingest.indexer import Indexer
from tests.fakes import HashingEmbedder


@pytest.fixture
def pipeline(settings: Settings, mini_corpus: Path) -> QAPipeline:
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    return QAPipeline(settings=settings, embedder=HashingEmbedder())


@pytest.mark.parametrize("method", ["bm25", "dense", "rrf", "weighted"])
def test_every_method_finds_the_atm_passage(pipeline: QAPipeline, method: str) -> None:
    result = pipeline.search(query="withdraw ATMs per day", method=method, top_k=3)  # type: ignore[arg-type]
    assert result.hits[0].chunk is not None
    assert result.hits[0].chunk.doc_id == "cards"
    assert len(result.trace_id) == 32


def test_ask_quotes_and_cites_the_source(pipeline: QAPipeline) -> None:
    answer = pipeline.ask(question="How much can I withdraw from ATMs per day?")
    assert not answer.abstained
    assert "£500" in (answer.text or "")
    cite = answer.citations[0]
    assert cite.doc_id == "cards"
    source = (Path(pipeline.settings.data_dir).parent / "docs" / "cards.md")
    assert source.read_text(encoding="utf-8")[cite.start : cite.end] == cite.quote


@pytest.mark.parametrize("bad", ["", "   \n\t ", "\u200b\u200b", "\x00\x01"])
def test_empty_queries_are_refused(pipeline: QAPipeline, bad: str) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        pipeline.search(query=bad)


def test_over_long_query_is_refused_with_the_limit(pipeline: QAPipeline) -> None:
    with pytest.raises(InvalidInputError, match="limit is 2000"):
        pipeline.ask(question="a" * 1_000_000)


def test_query_is_normalized() -> None:
    assert clean_query("ＡＴＭ\u200b  limit\x07", max_chars=100) == "ATM limit"


def test_length_limit_applies_to_the_normalized_query() -> None:
    # U+FDFA is one character that NFKC expands to 18: 10 of them are 180 characters to search with.
    with pytest.raises(InvalidInputError, match="180 characters once Unicode-normalized; the limit is 100"):
        clean_query("\ufdfa" * 10, max_chars=100)
    assert clean_query("ＡＴＭ" * 30, max_chars=90) == "ATM" * 30  # full-width to ASCII: same length, allowed


def test_unknown_words_return_no_bm25_hits(pipeline: QAPipeline) -> None:
    assert pipeline.search(query="zzqx wwvv", method="bm25").hits == ()


def test_new_generation_is_picked_up(pipeline: QAPipeline, settings: Settings, mini_corpus: Path) -> None:
    pipeline.search(query="fees")
    (mini_corpus / "pets.md").write_text("# Pets\n\nDogs are welcome in branches.\n")
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    assert pipeline.search(query="dogs welcome branches", method="bm25").hits[0].chunk.doc_id == "pets"


class ReverseReranker:
    """A stand-in reranker that reverses the order, to prove the slot is wired."""

    name = "reverse"

    def __init__(self) -> None:
        self.seen = 0

    def warm_up(self) -> None:
        return None

    def run(self, *, query: str, hits, top_k=None):  # noqa: ANN001, ANN201
        from rightfit.types import RetrievalResult

        self.seen = len(hits)
        assert all(h.chunk is not None for h in hits)  # rerankers read passage text
        return RetrievalResult(hits=tuple(reversed(hits)), stage=self.name)


def test_reranker_slot_reorders_fused_hits(settings: Settings, mini_corpus: Path) -> None:
    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    plain = QAPipeline(settings=settings, embedder=HashingEmbedder()).search(query="ATM withdraw", top_k=100)
    reranker = ReverseReranker()
    reranked = QAPipeline(settings=settings, embedder=HashingEmbedder(), reranker=reranker).search(
        query="ATM withdraw", top_k=100)
    assert reranker.seen == len(plain.hits)
    assert [h.chunk_id for h in reranked.hits] == [h.chunk_id for h in reversed(plain.hits)]


def test_generative_gate_abstains_before_generating(settings: Settings, mini_corpus: Path) -> None:
    import json

    from tests.unit.test_grounded import ScriptedGenerator

    Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
    reply = json.dumps({"answer": "You can withdraw up to £500 per day.", "citations": [1], "answerable": True})

    def pipeline(gate: float | None) -> tuple[QAPipeline, ScriptedGenerator]:
        gen = ScriptedGenerator(reply)
        answer = settings.answer.model_copy(update={"rung": "scripted", "generative_gate": gate})
        return QAPipeline(settings=settings.model_copy(update={"answer": answer}), embedder=HashingEmbedder(),
                          generator=gen), gen

    gated, gen = pipeline(0.99)
    answer = gated.ask(question="How much can I withdraw from ATMs per day?")
    assert answer.abstained and "below the gate" in answer.reason and gen.messages == ()
    open_, gen = pipeline(None)
    answer = open_.ask(question="How much can I withdraw from ATMs per day?")
    assert not answer.abstained and "£500" in (answer.text or "") and gen.messages


def test_repeated_reindexing_keeps_serving(pipeline: QAPipeline, settings: Settings, mini_corpus: Path) -> None:
    for n in range(4):
        (mini_corpus / f"extra{n}.md").write_text(f"# Extra {n}\n\nZebra policy number {n} applies.\n")
        Indexer(data_dir=settings.data_dir, embedder=HashingEmbedder()).run(source=mini_corpus)
        hits = pipeline.search(query=f"zebra policy extra {n}", method="bm25").hits
        assert hits[0].chunk is not None and hits[0].chunk.doc_id.startswith("extra")
    assert pipeline.store.generation.name.endswith("5")


def test_per_query_retrieval_scores_average_to_the_reported_ones(pipeline: QAPipeline) -> None:
    from rightfit.evals.retrieval import evaluate_queries

    queries = {"q1": "cash machine daily limit", "q2": "premier monthly fee", "q3": "when are branches open"}
    qrels = {"q1": {"cards": 1}, "q2": {"fees": 1}, "q3": {"faq-1": 1}}
    per: dict[str, dict[str, dict[str, float]]] = {}
    scores, _latency = evaluate_queries(pipeline, queries, qrels, per_query=per)
    for method, metrics in scores.items():
        for metric, mean in metrics.items():
            assert set(per[method][metric]) == set(queries)
            assert sum(per[method][metric].values()) / 3 == pytest.approx(mean)
    assert per["rrf"]["mrr@10"]["q1"] == 1.0  # the ATM passage is the first hit


@pytest.mark.parametrize(("text", "more"), [
    ("yes and freeze 7764 too", "freeze 7764 too"), ("ok, go ahead, and also show my balance", "show my balance"),
    ("Yes. Also, what is my balance?", "what is my balance?"), ("yes", None), ("yes please", None),
    ("yes, but the card ending 8120 instead", None), ("yep, the other one too", None),
    ("no, and freeze 8120 too", None),
])
def test_a_yes_with_a_further_request_is_split_from_it(text: str, more: str | None) -> None:
    from rightfit.assistant.replies import yes_and_more

    assert yes_and_more(text) == more


@pytest.mark.parametrize(("text", "rest"), [
    ("yes, and what's my balance?", "what's my balance?"), ("yes please and freeze my card", "freeze my card"),
    ("yes", None), ("yes and", None), ("and yes please", None), ("yesterday and today", None),
])
def test_a_yes_to_an_offer_with_a_further_request(text: str, rest: str | None) -> None:
    from rightfit.assistant.replies import yes_then

    assert yes_then(text) == rest


def test_replies_joined_say_each_sentence_once_and_keep_their_line_breaks() -> None:
    from rightfit.assistant.replies import said_once

    joined = said_once(["Done: 8120 is blocked. Call 0808 157 0247.", "Done: 4417 is blocked. Call 0808 157 0247."])
    assert joined == "Done: 8120 is blocked. Call 0808 157 0247. Done: 4417 is blocked."
    assert said_once(["First line.\n\nSecond line."]) == "First line.\n\nSecond line."


@pytest.mark.parametrize(("text", "halves"), [
    ("whats my balance and my sort code", ("whats my balance", "my sort code")),
    ("show my cards, and also my balance", ("show my cards", "my balance")),
    ("freeze 8120 and 4417", None),  # a half of one word
    ("balance and sort code and cards", None),  # a first half of one word
    # More than one "and": split at the first; the rest is split again when it is taken up.
    ("freeze my card and what's my balance and my sort code", ("freeze my card", "what's my balance and my sort code")),
    ("what's my balance? and freeze my card", None),  # two sentences: two_sentences' to split
    # A hello first is no sentence of its own (only the second request was met).
    ("Hi! whats my balance and how much at pret?", ("whats my balance", "how much at pret?")),
])
def test_one_sentence_joined_by_and_splits_in_two(text: str, halves: tuple[str, str] | None) -> None:
    from rightfit.assistant.replies import and_joined

    assert and_joined(text) == halves


@pytest.mark.parametrize(("questions", "asked"), [
    (["Freeze your card ending 9042?", "Freeze your card ending 8120?"],
     "Freeze your card ending 9042 and your card ending 8120?"),
    (["Report your card ending 8120 as stolen?", "Report your card ending 4417 as stolen?", "Report your card "
      "ending 1111 as stolen?"], "Report your card ending 8120, your card ending 4417 and your card ending 1111 as "
     "stolen?"),
    (["Freeze card 8120?", "Freeze card 4417?"], "Freeze card 8120 and 4417?"),
    (["Freeze your card ending 8120?", "Freeze your card ending 8120?"], "Freeze your card ending 8120?"),
    (["Freeze your card ending 8120?", "Unfreeze it? Are you sure?"],  # nothing shared: one after the other
     "Freeze your card ending 8120? Unfreeze it? Are you sure?"),
    (["Block 8120?", "Block 4417."], "Block 8120? Block 4417."),  # not both questions
    (["", ""], ""),
])
def test_questions_that_differ_in_one_item_are_asked_as_one(questions: list[str], asked: str) -> None:
    from rightfit.assistant.replies import one_question

    assert one_question(questions) == asked


@pytest.mark.parametrize(("text", "picked"), [
    ("the first one", "8120"), ("Second.", "4417"), ("the last one please", "4417"), ("erm, the 2nd card", "4417"),
    ("the third one", None), ("first of all, what's the fee?", None), ("8120", None), ("the other one", None),
])
def test_an_ordinal_picks_from_the_options_our_question_listed(text: str, picked: str | None) -> None:
    from rightfit.assistant.replies import chosen_option

    assert chosen_option(text, ["8120", "4417"]) == picked
    assert chosen_option(text, []) is None


@pytest.mark.parametrize(("text", "picked"), [
    ("the premier one", "8120 on your Premier Account"), ("Everyday.", "9042 on your Everyday Account"),
    ("the debit one", None), ("premier or everyday", None), ("yes", None),  # no word of one option alone
    ("what is the fee on a premier account for going overdrawn", None),  # a question, not a choice
])
def test_a_word_only_one_listed_option_has_picks_it(text: str, picked: str | None) -> None:
    from rightfit.assistant.replies import chosen_option

    assert chosen_option(text, ["9042 on your Everyday Account", "8120 on your Premier Account"]) == picked


@pytest.mark.parametrize(("text", "decision"), [
    ("yes", True), ("yes please", True), ("ok, go ahead with the change", True), ("no thanks", False),
    ("yes, but actually the card ending 8120 instead", None), ("yes please, and also change my email", None),
    ("yep, the other one", None), ("no, the 4417 one", None), ("no, not now", False), ("no, not 8120", False),
    ("no, the credit one", None), ("no, the other one", False),
    ("actually no, dont", False), ("oh yes please", True), ("um, no thanks", False),  # a hesitation first
    ("actually, yes but the credit one", None),
    ("ye", True), ("yh", True), ("yeh go ahead", True), ("k", True),  # slang: were refused or greeted
    ("go on then", True), ("fine, go ahead", True), ("alright", True),  # were answered from the documents
    ("wait", False), ("no wait", False), ("wait does freezing it stop my direct debits?", None),  # a question
])
def test_a_yes_that_changes_something_is_not_a_yes(text: str, decision: bool | None) -> None:
    from rightfit.assistant.replies import yes_or_no

    assert yes_or_no(text, agreed=["8120"]) is decision
    assert yes_or_no("yes, 8120", agreed=["8120"]) is True  # repeating what is confirmed
    assert yes_or_no("8120, yes please", agreed=["8120"]) is True
    assert yes_or_no("4417 yes", agreed=["8120"]) is None  # another card first: a correction, not a yes


@pytest.mark.parametrize(("text", "bare"), [
    ("yes", True), ("Yes please.", True), ("go ahead", True), ("ok", False), ("ok thanks", False),
    ("ok so what's my balance then", False), ("yes and freeze 8120 too", False), ("go on then", True),
])
def test_a_bare_yes_is_a_yes_and_nothing_else(text: str, bare: bool) -> None:
    from rightfit.assistant.replies import bare_yes

    assert bare_yes(text) is bare


def test_the_bigger_or_the_latest_of_the_listed_payments() -> None:
    from rightfit.assistant.replies import chosen_option

    listed = ("£21.50 on 2026-11-15", "£132.28 on 2026-11-06", "£62.54 on 2026-10-27")
    assert chosen_option("the bigger one", listed) == chosen_option("most expensive", listed) == listed[1]
    assert chosen_option("the latest", listed) == listed[0] and chosen_option("the oldest one", listed) == listed[2]
    assert chosen_option("the cheapest please", listed) == listed[0]
    assert chosen_option("the bigger one", ("£5 on 2026-11-01", "£5 on 2026-11-02")) is None  # a tie picks nothing
    assert chosen_option("the bigger one", ("the debit card", "the credit card")) is None  # nothing to compare


def test_the_sum_or_one_of_the_listed_payments_asked_for() -> None:
    from rightfit.assistant.replies import of_the_listed, total_of_listed

    listed = ("Tesco -£44.22 on 2026-11-01", "Boots -£13.76 on 2026-11-03", "Salary £2,450.00 on 2026-11-10")
    assert total_of_listed("how much is that altogether", listed) == "£57.98 out and £2,450.00 in"
    assert total_of_listed("total?", listed[:2]) == "£57.98 out"
    assert total_of_listed("how much was the biggest", listed) is None
    assert total_of_listed("total?", ("the debit card", "the credit card")) is None  # nothing to add up
    assert of_the_listed("and the smallest?", listed) == listed[1]
    assert of_the_listed("when was it", listed, named=1) == listed[1]  # the one the last reply named
    assert of_the_listed("when was it", listed) is None  # of three, none named


def test_which_card_the_listed_payments_were_made_with() -> None:
    from rightfit.assistant.replies import made_with_listed, with_item

    listed, card = ("Tesco -£22.08 on 2026-11-14", "Tesco -£44.22 on 2026-11-01"), "on your credit card ending 4417"
    assert made_with_listed("which card was that on?", listed, (card, card)) == f"Those were all {card}."
    assert made_with_listed("which account was it from", listed[:1], (card,)) == f"That was {card}."
    assert made_with_listed("which card was that on?", listed, (card, "")) is None  # not known for one
    assert made_with_listed("freeze the card", listed, (card, card)) is None
    assert with_item("which account was that from", listed[:1], (card,)) is None  # asked of it, not about it



def test_a_merchant_is_named_without_its_statement_dressing() -> None:
    from rightfit.assistant.fields import mentioned

    # "xbpay" was not found as "WWW.XBPAY" (its dot removed, the name read as "wwwxbpay").
    options = ["WWW.XBPAY", "SP DIGITAL", "Sainsbury's", "TfL Travel", "TfL"]
    assert mentioned("i want to dispute the xbpay payment", options) == "WWW.XBPAY"
    assert mentioned("show my sainsburys payments", options) == "Sainsbury's"
    assert mentioned("tfl travel last week", options) == "TfL Travel"
    assert mentioned("what did I spend at www.xbpay.com", options) == "WWW.XBPAY"


def test_a_card_kind_taken_back_is_not_a_candidate() -> None:
    from rightfit.extract.identifiers import scan_card_kind

    # "yes but the credit one not the debit" froze the debit card: both kinds were read as said.
    assert [c.value for c in scan_card_kind("yes but the credit one not the debit").candidates] == ["credit"]
    assert [c.value for c in scan_card_kind("not the debit one").candidates] == ["credit"]
    assert [c.value for c in scan_card_kind("my debit card").candidates] == ["debit"]


def test_an_item_of_the_list_just_given_is_named_by_its_place() -> None:
    from rightfit.assistant.replies import with_item

    listed = ["TfL Travel -£6.84 on 2026-11-19", "Pret A Manger -£5.42 on 2026-11-18"]
    assert with_item("the second one is wrong, can u dispute it", listed) == \
        "Pret A Manger -£5.42 on 2026-11-18 is wrong, can u dispute it"
    assert with_item("the last payment looks odd", listed) == "Pret A Manger -£5.42 on 2026-11-18 looks odd"
    assert with_item("the third one", listed) is None and with_item("dispute it", listed) is None
    # What the one payment shown was made with is added only when the message points at the card.
    one, card = listed[:1], ["card ending 8120"]
    assert with_item("can you block the card", one, card) == "can you block the card: TfL Travel -£6.84 on " \
        "2026-11-19 (card ending 8120)"
    assert with_item("i never made it", one, card) == "i never made it: TfL Travel -£6.84 on 2026-11-19"
