"""Customers' words rewritten in the documents' terms before retrieval ([retrieval.synonyms])."""

from __future__ import annotations

import pytest

from rightfit.core.settings import RetrievalSettings
from rightfit.retrieval.synonyms import SynonymRewriter

BANK = {"ATM": ["cashpoint", "cash machine", "hole in the wall"], "stolen": ["nicked"], "PIN": ["pin number"]}


def test_whole_words_are_replaced_whatever_their_case_and_spacing() -> None:
    out = SynonymRewriter(BANK).run(query="Can I use a Cash  Machine abroad if my card was NICKED?")
    assert out.text == "Can I use a ATM abroad if my card was stolen?"
    assert out.replaced == (("Cash  Machine", "ATM"), ("NICKED", "stolen"))


def test_parts_of_words_and_other_words_are_left_alone() -> None:
    rewriter = SynonymRewriter(BANK)
    for query in ("cashpoints near me", "the machine kept my card", "my pin", "nickedly", "pin numbers"):
        assert rewriter.run(query=query).text == query, query


def test_the_longer_variant_wins_and_no_synonyms_change_nothing() -> None:
    rewriter = SynonymRewriter({"PIN": ["pin number"], "digits": ["number"]})
    assert rewriter.run(query="what's my pin number").text == "what's my PIN"
    assert SynonymRewriter({}).run(query="what's my pin number").text == "what's my pin number"
    # Spacing in the configured variant is no part of it (it was a KeyError on the first match).
    assert SynonymRewriter({"ATM": ["cash  machine"]}).run(query="a cash machine").text == "a ATM"


@pytest.mark.parametrize("synonyms", [{"ATM": ["cashpoint", " "]}, {"ATM": ["cashpoint"], "branch": ["Cashpoint"]}])
def test_an_empty_word_or_a_word_listed_twice_is_refused(synonyms: dict[str, list[str]]) -> None:
    with pytest.raises(ValueError, match="synonyms"):
        RetrievalSettings(synonyms=synonyms)
