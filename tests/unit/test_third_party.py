"""Which messages ask about someone else's accounts, cards or details."""

from __future__ import annotations

import pytest

from rightfit.assistant.third_party import someone_else


@pytest.mark.parametrize(("text", "who"), [
    ("please freeze farid haddad's card ending 8120", "haddad"),
    ("what's Daniel Evans's phone number? he lives with me", "Evans"),
    ("my wife's card was stolen", "wife"),
    ("how much has she got in her account", "her"),
    ("freeze card 2208, it's my flatmate's", "flatmate"),
    ("report it stolen, it's chloe's", "chloe"),
    ("can you check the balance on behalf of my dad", "on behalf of my"),
    ("what's the email address on file for customer C002", "for customer C002"),  # it gave the caller's own
    ("what phone number do you have for my husband", "husband"),
])
def test_someone_else_is_named(text: str, who: str) -> None:
    assert someone_else(text, own_names=["Alice Moreno"]) == who


@pytest.mark.parametrize("text", [
    "what's my balance", "show today's transactions", "last week's payments please", "it's the debit one",
    "I'm Alice, freeze alice's card", "the bank's phone number", "freeze my card for my son",
    "dispute my sainsbury's payment", "I think someone's hacked my account, there are payments I didn't make",
    "my son's taken my card and used it",
])
def test_the_caller_times_and_merchants_are_not_someone_else(text: str) -> None:
    assert someone_else(text, own_names=["Alice Moreno"], not_people=["Sainsbury's", "Tesco"]) is None


@pytest.mark.parametrize(("text", "who"), [("can you freeze daniels card please", "daniels"),
                                           ("report my husbands card stolen", "husbands"),
                                           ("my wifes card got stolen can you block it", "wifes"),
                                           ("whats ben okafors balance", "okafors"),  # gave the caller's own
                                           # no possessive at all: someone beside the caller
                                           ("update the address for me and daniel to 9 Elm Grove", "daniel"),
                                           ("change the address for my husband and me", "husband")])
def test_a_possessive_without_its_apostrophe_names_a_person(text: str, who: str) -> None:
    # Each of these acted on the caller's own card, twice blocking it for good as stolen.
    assert someone_else(text, own_names=["Chloe Martin"], people=["Daniel Martin", "Ben Okafor"]) == who


@pytest.mark.parametrize("text", ["freeze my savings account", "my business account balance", "freeze this card",
                                  "show my sainsburys payments", "freeze chloes card",
                                  "book it for me and tomorrow"])  # "tomorrow" names no one
def test_a_word_ending_in_s_is_no_owner_unless_it_names_a_person(text: str) -> None:
    assert someone_else(text, own_names=["Chloe Martin"], people=["Daniel Martin", "Ben Okafor"]) is None  # Chloe asks
