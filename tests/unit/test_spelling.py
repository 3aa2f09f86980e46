"""Typos mended before classification: toward the app's own words, never over a real word."""

from __future__ import annotations

from rightfit.classify.spelling import Speller

APP = ["freeze my card", "block my card please", "unfreeze my card", "dispute a payment", "my card was stolen",
       "what is my credit limit", "show my statement", "what's the most I can send", "I lost my card"] * 3
ENGLISH = {"most", "then", "feet", "picked", "mount", "tall", "list", "limit", "lost"}


def test_a_typo_one_edit_from_an_app_word_is_mended() -> None:
    s = Speller(APP, known=ENGLISH)
    assert s.correct("blok my crad plz") == "block my card plz"  # a letter left out; two swapped
    assert s.correct("frezee it") == "freeze it" and s.correct("unfreze it") == "unfreeze it"
    assert s.correct("it was stollen") == "it was stolen"  # a letter too many
    assert s.correct("my credit limt") == "my credit limit"  # a missing letter before a mistyped one


def test_real_words_short_words_and_names_are_kept() -> None:
    s = Speller(APP, known=ENGLISH)
    assert s.correct("what's the most i can borrow") == "what's the most i can borrow"  # no typo of "lost"
    assert s.correct("how tall is mount everest") == "how tall is mount everest"
    assert s.correct("los my card") == "los my card"  # three letters: too short to tell
    assert s.correct("pay Trainline 8120") == "pay Trainline 8120"  # nothing one edit away


def test_a_word_the_app_used_once_is_no_target() -> None:
    s = Speller([*APP, "unfreez my card"], known=ENGLISH)  # a typo in the app's own data
    assert s.correct("unfreze") == "unfreeze"


def test_a_name_one_slip_away_is_found_but_a_real_word_is_not() -> None:
    from rightfit.assistant.fields import mentioned

    payees = ["Trainline", "Deliveroo", "Amazon", "Sainsbury's", "Transfer in", "Pret A Manger"]
    assert mentioned("spent on delivroo", payees) == "Deliveroo" and mentioned("at traineline", payees) == "Trainline"
    assert mentioned("sainsbry's last week", payees) == "Sainsbury's"
    assert mentioned("show my transfers", payees) is None  # an English word, not a slip
    assert mentioned("prat", payees) is None  # four letters: too short to guess at
    # The first word of a longer name, when no ordinary word: "pret" is Pret A Manger, "just" is not Just Eat.
    assert mentioned("pret overcharged me", [*payees, "Just Eat"]) == "Pret A Manger"
    assert mentioned("i just ate", [*payees, "Just Eat"]) is None
    # A slip naming one thing by its several names (an account, whole and short) names that thing.
    assert mentioned("freeze my everday card", ["Everyday Account", "Everyday", "Premier Account"]) == "Everyday"



def test_a_part_of_a_free_text_value_is_put_right_in_place() -> None:
    from typing import Annotated

    from pydantic import BaseModel

    from rightfit.assistant.fields import swapped
    from rightfit.extract.schema import Slot

    class Change(BaseModel):
        address: Annotated[str | None, Slot("address")] = None
        reason: str | None = None  # no free-text kind: never rewritten

    held = {"address": "flat 3, 12 high street, leeds, LS1 4AB", "reason": "moved from flat 3"}
    assert swapped(Change, "no wait its flat 4 not 3", held) == {"address": "flat 4, 12 high street, leeds, LS1 4AB"}
    assert swapped(Change, "no, LS1 4AD not LS1 4AB", held)["address"].endswith("LS1 4AD")
    assert swapped(Change, "12 high street not 21", held) == {}  # "21" is not in the address
    assert swapped(Change, "its leeds not bradford", held) == {}



def test_a_new_start_of_a_free_text_value_keeps_the_rest() -> None:
    from typing import Annotated

    from pydantic import BaseModel

    from rightfit.assistant.fields import rest_kept
    from rightfit.extract.schema import Slot

    class Change(BaseModel):
        address: Annotated[str | None, Slot("address")] = None

    held = {"address": "10 Downing St London"}
    assert rest_kept(Change, {"address": "11 Downing St"}, held) == {"address": "11 Downing St London"}
    assert rest_kept(Change, {"address": "5 Park Row"}, held) == {}  # another street: replaced whole
    assert rest_kept(Change, {"address": "11 Downing St Leeds"}, held) == {}  # a whole address of its own
    assert rest_kept(Change, {"address": "11 Downing St"}, {}) == {}


def test_a_town_said_beside_the_postcode_asked_for_joins_the_address() -> None:
    from typing import Annotated

    from pydantic import BaseModel

    from rightfit.assistant.fields import said_beside
    from rightfit.extract.schema import Slot

    class Change(BaseModel):
        address: Annotated[str | None, Slot("address")] = None
        postcode: Annotated[str | None, Slot("postcode")] = None

    held = {"address": "3 Birch Rd"}
    assert said_beside(Change, "Manchester M20 2AB", "postcode", {"postcode": "M20 2AB"}, held) == {
        "address": "3 Birch Rd, Manchester"}
    assert said_beside(Change, "manchester m202ab", "postcode", {"postcode": "M20 2AB"}, held)["address"].endswith(
        "manchester")
    assert said_beside(Change, "its M20 2AB", "postcode", {"postcode": "M20 2AB"}, held) == {}  # no place
    assert said_beside(Change, "Birch Rd M20 2AB", "postcode", {"postcode": "M20 2AB"}, held) == {}  # said already
    assert said_beside(Change, "M20 2AB", "postcode", {"postcode": "M20 2AB"}, held) == {}
