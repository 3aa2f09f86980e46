"""The judged rung: the extractive answer is given only when the judge model agrees; it never changes the text.

A scripted yes/no model keeps these fast; tests/integration/test_generation.py runs the rung with a real
llama.cpp model and tests/integration/test_openai_backend.py checks the HTTP backend's P(yes) against it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rightfit.answer.extractive import ExtractiveAnswerer
from rightfit.answer.judged import JudgedAnswerer, judge_messages
from rightfit.core.errors import ConfigError
from rightfit.core.protocols import YesNoModel
from rightfit.core.settings import AnswerSettings, load_settings, rung_models
from rightfit.types import Chunk, Hit
from tests.fakes import HashingEmbedder

TEXT = ("You can withdraw up to £500 per day from ATMs with a standard debit card. "
        "Premier customers can withdraw up to £1,000 per day.")
CHUNK = Chunk(chunk_id="atm#0", doc_id="atm", title="ATM and spending limits",
              section=("ATM and spending limits", "Daily limits"), text=TEXT, start=0, end=len(TEXT))
HITS = [Hit(row=0, chunk_id="atm#0", score=1.0, retriever="rrf", chunk=CHUNK)]
QUESTION = "How much can I withdraw from an ATM per day?"


class ScriptedJudge:
    """Says yes with a fixed probability and records what it was shown."""

    name = "scripted"
    model_id = "scripted-judge"

    def __init__(self, p_yes: float) -> None:
        self.p_yes = p_yes
        self.seen: list[Sequence[dict[str, str]]] = []

    def warm_up(self) -> None:
        pass

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float:
        self.seen.append(messages)
        return self.p_yes


def _rung(p_yes: float, *, weight: float = 0.5, threshold: float = 0.5) -> tuple[JudgedAnswerer, ScriptedJudge]:
    judge = ScriptedJudge(p_yes)
    extractive = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0)
    assert isinstance(judge, YesNoModel)
    return JudgedAnswerer(extractive=extractive, model=judge, weight=weight, threshold=threshold), judge


def test_a_confirmed_answer_is_the_extractive_quote_with_a_blended_confidence() -> None:
    rung, judge = _rung(0.9)
    plain = rung.extractive.run(question=QUESTION, hits=HITS)
    answer = rung.run(question=QUESTION, hits=HITS)
    assert not answer.abstained
    assert answer.text == plain.text and answer.citations == plain.citations
    assert answer.confidence == pytest.approx(0.5 * plain.confidence + 0.5 * 0.9)
    prompt = judge.seen[0][-1]["content"]
    assert QUESTION in prompt and plain.text in prompt and "ATM and spending limits - Daily limits" in prompt


def test_a_rejected_answer_becomes_an_abstention_that_names_the_judge() -> None:
    rung, _ = _rung(0.05)
    answer = rung.run(question=QUESTION, hits=HITS)
    assert answer.abstained and answer.text is None and not answer.citations
    assert answer.reason is not None and "judge 0.05" in answer.reason


def test_the_model_is_not_asked_when_it_could_not_lift_the_score() -> None:
    rung, judge = _rung(1.0, weight=0.2, threshold=0.99)
    answer = rung.run(question="Do you sell pet insurance?", hits=HITS)
    assert answer.abstained and not judge.seen
    assert answer.reason is not None and "too low for the judge" in answer.reason


def test_no_passages_means_abstention_without_a_model_call() -> None:
    rung, judge = _rung(1.0)
    answer = rung.run(question=QUESTION, hits=[])
    assert answer.abstained and not judge.seen


def test_the_extractive_part_must_not_abstain_by_itself() -> None:
    with pytest.raises(ValueError, match="threshold 0"):
        JudgedAnswerer(extractive=ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.4),
                       model=ScriptedJudge(1.0))


def test_judge_prompt_is_a_system_and_a_user_message() -> None:
    plain = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0).run(question=QUESTION, hits=HITS)
    messages = judge_messages(question=QUESTION, answer="£500 a day.", citation=plain.citations[0])
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "yes or no" in messages[0]["content"] and "organisation's help pages" in messages[0]["content"]
    told = judge_messages(question=QUESTION, answer="£500 a day.", citation=plain.citations[0],
                          pages="a bank's help pages")
    assert "a passage from a bank's help pages answers" in told[0]["content"]


@pytest.mark.parametrize("rung", ["extractive+", "extractive+extractive", " "])
def test_a_judged_rung_must_name_a_model(rung: str) -> None:
    with pytest.raises(ConfigError, match="names no model"):
        load_settings(answer={"rung": rung})


def test_the_models_a_rung_runs() -> None:
    assert rung_models("extractive") == []
    assert rung_models("extractive+qwen2.5-1.5b") == ["qwen2.5-1.5b"]
    assert rung_models("qwen2.5-0.5b") == ["qwen2.5-0.5b"]
    assert AnswerSettings(rung="extractive+qwen2.5-1.5b").judge.weight == 0.5


class KeywordJudge(ScriptedJudge):
    """Says yes only to a passage containing `word`."""

    def __init__(self, word: str) -> None:
        super().__init__(0.0)
        self.word = word

    def yes_probability(self, *, messages: Sequence[dict[str, str]]) -> float:
        self.seen.append(messages)
        passage = messages[-1]["content"].split("Question:")[0]
        return 0.95 if self.word in passage else 0.02


CONTACTLESS = "The contactless limit is £100 per payment, and you can spend up to £500 per day by card."
CHUNK2 = Chunk(chunk_id="contactless#0", doc_id="contactless", title="Contactless payments",
               section=("Contactless payments", "Limits"), text=CONTACTLESS, start=0, end=len(CONTACTLESS))
TWO_HITS = [*HITS, Hit(row=1, chunk_id="contactless#0", score=0.9, retriever="rrf", chunk=CHUNK2)]
CONTACTLESS_Q = "How much can I withdraw or spend per day?"


def _candidates_rung(candidates: int) -> tuple[JudgedAnswerer, KeywordJudge]:
    judge = KeywordJudge("contactless")
    extractive = ExtractiveAnswerer(embedder=HashingEmbedder(), threshold=0.0)
    return JudgedAnswerer(extractive=extractive, model=judge, weight=0.75, threshold=0.5,
                          candidates=candidates), judge


def test_with_several_candidates_the_answer_is_the_one_the_judge_confirms() -> None:
    one, judge_one = _candidates_rung(1)
    first = one.extractive.run(question=CONTACTLESS_Q, hits=TWO_HITS)
    assert first.citations[0].chunk_id == "atm#0"  # the sentence score prefers the ATM page
    assert one.run(question=CONTACTLESS_Q, hits=TWO_HITS).abstained and len(judge_one.seen) == 1
    two, judge_two = _candidates_rung(2)
    answer = two.run(question=CONTACTLESS_Q, hits=TWO_HITS)
    assert not answer.abstained and len(judge_two.seen) == 2
    assert [c.chunk_id for c in answer.citations] == ["contactless#0"]
    assert answer.text is not None and answer.text in CONTACTLESS


def test_candidates_stop_when_the_passages_run_out_and_the_setting_is_bounded() -> None:
    rung, judge = _candidates_rung(3)
    answer = rung.run(question=QUESTION, hits=HITS)  # one chunk: one candidate, one call
    assert answer.abstained and len(judge.seen) == 1
    with pytest.raises(ValueError, match="candidates"):
        JudgedAnswerer(extractive=rung.extractive, model=judge, candidates=0)
    assert load_settings(answer={"judge": {"candidates": 3}}).answer.judge.candidates == 3
    with pytest.raises(ConfigError):
        load_settings(answer={"judge": {"candidates": 9}})
