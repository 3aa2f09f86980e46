"""Telling a message in another language from English, for the reply that says only English is read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rightfit.assistant.language import looks_foreign

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["Hola, ¿cuál es mi saldo?", "مرحبا، ما هو رصيدي؟", "Ich habe meine Karte verloren",
                                  "chcę zablokować kartę, zgubiłam ją", "je voudrais bloquer ma carte"])
def test_messages_in_other_languages_are_told_apart(text: str) -> None:
    assert looks_foreign(text)


@pytest.mark.parametrize("text", ["wats my balanse", "hello??", "sp digital", "Café Nero charged twice",
                                  "MY CARD WAS STOLEN AND SOMEONE PAID WWW.XBPAY WITH IT", "\U0001F44D", "",
                                  "freeze card 8120 now"])
def test_english_however_written_is_english(text: str) -> None:
    assert not looks_foreign(text)


def test_no_labelled_bank_message_is_taken_for_another_language() -> None:
    with (ROOT / "examples" / "bank" / "intents" / "intents.csv").open(encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert [t for t in texts if looks_foreign(t)] == []
