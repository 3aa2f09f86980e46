"""Fast stand-ins for unit tests: an embedder and two topics of messages. The real MiniLM model is
exercised by the integration tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

# Two topics of eight messages each, for classifiers trained in a unit test.
WEATHER = ["will it rain tomorrow morning", "rain and wind expected tonight", "sunny skies tomorrow",
           "the forecast says snow tonight", "heavy rain this afternoon", "cloudy with a chance of rain",
           "is it going to be sunny tomorrow", "strong wind and snow in the forecast"]
COOKING = ["bake the bread for forty minutes", "boil the pasta in salted water", "how long to bake a cake",
           "fry the garlic in olive oil", "simmer the sauce and add salt", "roast the chicken in the oven",
           "knead the dough then bake it", "add salt to the boiling pasta water"]


class HashingEmbedder:
    """Bag of lower-cased words hashed into 384 dimensions: similar words give similar vectors."""

    model_id = "test-hashing"
    dim = 384

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after

    def embed(self, texts: Sequence[str], *, batch_size: int = 32,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            self.calls += 1
            if self.fail_after is not None and self.calls > self.fail_after:
                raise RuntimeError("embedding failed on purpose")
            for word in re.findall(r"\w+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
            if progress is not None:
                progress(1)
        return out
