"""Spending categories, as the bank's statements group payments: "how much have I spent on fuel" lists the
payments to fuel stations, with their total. A category is a set of payee names; the customer's words for it
are read only for a transactions request."""

from __future__ import annotations

import re
from types import MappingProxyType

# Each category's payees, as they show on statements (matched as the start of a word of the payee). A category is
# named as a reply names it: "Your grocery transactions".
PAYEES = MappingProxyType({
    "fuel": ("shell", "bp", "esso", "texaco"),
    "train": ("trainline", "lner", "avanti", "gwr", "northern rail", "southern rail", "national rail"),
    "public transport": ("tfl", "trainline", "national express", "megabus", "stagecoach", "first bus"),
    "grocery": ("tesco", "sainsbury", "asda", "morrisons", "aldi", "lidl", "waitrose", "co-op", "m&s food",
                "iceland", "ocado"),
    "takeaway": ("deliveroo", "just eat", "uber eats"),
    "eating out": ("pret", "costa", "starbucks", "greggs", "nando", "mcdonald", "wagamama", "pizza express"),
    "subscription": ("netflix", "spotify", "disney", "amazon prime", "apple.com", "sp digital"),
    "health and beauty": ("boots", "superdrug"),
    "rent": ("foxtons",),
})

# The customer's words for each category.
WORDS = MappingProxyType({
    "fuel": "fuel", "petrol": "fuel", "diesel": "fuel", "petrol station": "fuel", "petrol stations": "fuel",
    "trains": "train", "train": "train", "train tickets": "train", "rail": "train", "railway": "train",
    "transport": "public transport", "public transport": "public transport", "travel": "public transport",
    "commuting": "public transport", "the tube": "public transport", "buses": "public transport",
    "groceries": "grocery", "grocery": "grocery", "food shopping": "grocery", "food shop": "grocery",
    "supermarket": "grocery", "supermarkets": "grocery", "the shopping": "grocery",
    "takeaway": "takeaway", "takeaways": "takeaway", "take away": "takeaway", "food delivery": "takeaway",
    "eating out": "eating out", "coffee": "eating out", "lunch": "eating out", "lunches": "eating out",
    "restaurants": "eating out", "cafes": "eating out",
    "subscriptions": "subscription", "subscription": "subscription", "streaming": "subscription",
    "chemist": "health and beauty", "pharmacy": "health and beauty", "toiletries": "health and beauty",
    "rent": "rent",
})


def category_words(_lookup: object) -> list[str]:
    return list(WORDS)


# "how much do I spend on takeaways": spending on a category asked about, whatever the tense.
SPENT_ON = re.compile(r"\b(?:spend|spent|spending|spends)\s+(?:\w+\s+){0,2}?on\s+(?:my\s+|the\s+)?(?:"
                      + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")\b", re.IGNORECASE)
