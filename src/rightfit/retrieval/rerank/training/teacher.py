"""Graded labels for the training groups from a yes/no chat model (distillation).

A group's labels are hard: the question's source chunk is the one positive and every other passage a negative.
Some hard negatives answer the question as well (the same fee stated on two pages), and a positive can be a
poor answer to its own question. A packaged chat model asked whether each passage answers the question gives a
graded label, P(yes); the reranker then learns from both (training/train.py, `distill`).

Cost is one prompt per (question, passage) pair. The passage comes before the question in the prompt and the
pairs are labelled passage by passage, so llama.cpp keeps the passage's evaluated tokens from the previous call
and processes only the question: several times faster than labelling group by group.

Labels are appended to a JSONL file as they are made, keyed by a hash of the pair, so an interrupted run
resumes where it stopped and a re-run with more groups labels only the new pairs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from rightfit.core.jsonio import loads as loads_json
from rightfit.core.protocols import YesNoModel
from rightfit.retrieval.rerank.training.mining import TrainingGroup

PROMPT_VERSION = 1  # bump when teacher_messages changes: labels from another prompt are not reused


def teacher_messages(question: str, passage: str, pages: str) -> list[dict[str, str]]:
    """The passage first (the prefix consecutive calls share), then the question."""
    from rightfit.answer.judged import system_prompt

    user = (f"Passage:\n{passage}\n\nQuestion: {question}\n\n"
            "Does the passage answer this question? Answer yes or no.")
    return [{"role": "system", "content": system_prompt(pages)}, {"role": "user", "content": user}]


def pair_key(question: str, passage: str, model_id: str) -> str:
    raw = json.dumps([PROMPT_VERSION, model_id, question, passage], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def read_labels(path: Path) -> dict[str, float]:
    """Labels made so far; a line cut short by an interruption is ignored (its pair is labelled again)."""
    labels: dict[str, float] = {}
    if not path.is_file():
        return labels
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = loads_json(line)
            labels[str(rec["key"])] = float(rec["p_yes"])
        except (ValueError, KeyError, TypeError):
            continue
    return labels


def _ends_mid_line(path: Path) -> bool:
    """Whether an interrupted run left a last line without its newline (reads the last byte only)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


def label_groups(
    groups: Sequence[TrainingGroup],
    model: YesNoModel,
    path: Path,
    *,
    pages: str,
    progress: Callable[[int, int], None] | None = None,
    missing: Literal["label", "skip"] = "label",
) -> list[tuple[float, ...] | None]:
    """P(yes) for every passage of every group, in the groups' order; labels already in `path` are reused.

    `missing="skip"` asks the model nothing: a group with a pair `path` lacks gets None (hard labels only)."""
    labels = read_labels(path)
    keys = [[pair_key(g.question, p, model.model_id) for p in g.passages] for g in groups]
    pairs = {k: (g.question, p) for g, ks in zip(groups, keys, strict=True)
             for k, p in zip(ks, g.passages, strict=True)}
    todo = sorted((k for k in pairs if k not in labels), key=lambda k: (pairs[k][1], pairs[k][0]))
    if todo and missing == "label":
        path.parent.mkdir(parents=True, exist_ok=True)
        cut_short = _ends_mid_line(path)
        with path.open("a", encoding="utf-8") as fh:
            if cut_short:  # end the broken line, so the next label starts a line of its own
                fh.write("\n")
            for i, key in enumerate(todo, start=1):
                question, passage = pairs[key]
                p_yes = model.yes_probability(messages=teacher_messages(question, passage, pages))
                labels[key] = p_yes
                fh.write(json.dumps({"key": key, "p_yes": round(p_yes, 6)}) + "\n")
                fh.flush()
                if progress is not None:
                    progress(i, len(todo))
    return [tuple(labels[k] for k in ks) if all(k in labels for k in ks) else None for ks in keys]
