"""Customers' words for the documents' terms: "cashpoint" and "hole in the wall" are the ATM, "nicked" is
stolen. The sentence scorer and BM25 match words, so a question in everyday words finds the right page (the
embeddings do) but no sentence that repeats its terms, and is abstained on. Rewriting the question in the
documents' terms before retrieval fixes that for the words a deployment lists ([retrieval.synonyms]).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RewrittenQuery:
    text: str
    replaced: tuple[tuple[str, str], ...]  # (as written, the documents' term), in the order found

    def span_attributes(self) -> dict[str, str | int | float]:
        return {"replaced": len(self.replaced)}


class SynonymRewriter:
    """Stage: every listed variant, matched as whole words regardless of case, becomes its term; where two
    variants overlap the longer one wins ("cash machine" over "machine")."""

    name = "synonyms"

    def __init__(self, synonyms: Mapping[str, Sequence[str]]) -> None:
        # Keyed as a match is looked up: lower case, single spaces ("cash  machine" in a config is "cash machine").
        self.term_of = {" ".join(v.lower().split()): term for term, variants in synonyms.items() for v in variants}
        variants = sorted(self.term_of, key=len, reverse=True)
        self.pattern = (re.compile(r"(?<![\w'])(?:" + "|".join(r"\s+".join(map(re.escape, v.split()))
                                                               for v in variants) + r")(?![\w'])", re.IGNORECASE)
                        if variants else None)

    def run(self, *, query: str) -> RewrittenQuery:
        if self.pattern is None:
            return RewrittenQuery(text=query, replaced=())
        replaced: list[tuple[str, str]] = []

        def swap(m: re.Match[str]) -> str:
            term = self.term_of[" ".join(m.group().lower().split())]
            replaced.append((m.group(), term))
            return term

        return RewrittenQuery(text=self.pattern.sub(swap, query), replaced=tuple(replaced))
