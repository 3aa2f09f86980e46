"""Generation speed per packaged model, and what reusing the fixed system-prompt prefix saves.

For each model: time to first token on a cold context, then on a second question that shares the
system prompt (llama.cpp reuses the evaluated prefix), then output tokens/s.
Run: .venv/bin/python benchmarks/generation_speed.py [--models smollm2-135m,qwen2.5-0.5b,qwen2.5-1.5b]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import hardware_line  # noqa: E402
from rightfit.answer.grounded import SYSTEM_PROMPT  # noqa: E402
from rightfit.models.llama import LlamaCppGenerator  # noqa: E402

PASSAGES = ("Passages:\n\n[1] ATM and spending limits > Daily ATM cash withdrawal limit\n"
            "Standard debit card: £500 per day. Premier debit card: £1,000 per day.\n\n"
            "[2] Card fees > Replacement cards\nReplacing a lost, stolen, damaged or expired debit card is free "
            "with standard delivery, which takes 3 to 5 working days.\n\nQuestion: ")


def first_token(gen: LlamaCppGenerator, question: str) -> tuple[float, float, int]:
    """(seconds to first token, total seconds, output tokens)."""
    started = time.perf_counter()
    first: list[float] = []

    def on_token(_piece: str) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    out = gen.generate(messages=[{"role": "system", "content": SYSTEM_PROMPT},
                                 {"role": "user", "content": PASSAGES + question}],
                       max_tokens=48, on_token=on_token)
    return (first[0] if first else out.seconds), out.seconds, out.tokens_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="smollm2-135m,qwen2.5-0.5b,qwen2.5-1.5b")
    args = parser.parse_args()
    print(hardware_line())
    print(f"{'model':<14} {'load s':>7} {'TTFT cold s':>12} {'TTFT warm s':>12} {'warm/cold':>10} {'out tok/s':>10}")
    for name in args.models.split(","):
        gen = LlamaCppGenerator(model=name, n_ctx=2048, max_tokens=48)
        t = time.perf_counter()
        gen.warm_up()
        load = time.perf_counter() - t
        cold, _, _ = first_token(gen, "How much cash can I take out of an ATM per day?")
        warm, total, tokens = first_token(gen, "How long does a replacement card take to arrive?")
        rate = tokens / max(total - warm, 1e-6)
        print(f"{name:<14} {load:>7.2f} {cold:>12.2f} {warm:>12.2f} {warm / cold:>10.2f} {rate:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
