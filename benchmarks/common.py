"""Shared helpers for benchmarks: the hardware line, a generated corpus, timing."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rightfit.core.runtime import hardware_line  # noqa: F401  (re-exported for every benchmark)

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "examples" / "bank"


def bank_vocabulary() -> list[str]:
    words: set[str] = set()
    for path in (BANK / "docs").iterdir():
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", path.read_text(encoding="utf-8")))
    return sorted(words)


def generated_texts(n: int, *, seed: int = 7, words_per_text: int = 80) -> list[str]:
    """Texts drawn from the bank corpus vocabulary with a Zipf-like skew, as real text has."""
    rng = random.Random(seed)
    vocab = bank_vocabulary()
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    rng.shuffle(vocab)
    return [" ".join(rng.choices(vocab, weights=weights, k=words_per_text)) + "." for _ in range(n)]


def generated_queries(texts: Sequence[str], n: int, *, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choice(texts).split()
        start = rng.randrange(0, max(1, len(words) - 6))
        out.append(" ".join(words[start : start + 6]))
    return out


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else 0.0
