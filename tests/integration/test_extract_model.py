"""The extractor's model fallback with a real model (SmolLM2-135M in llama.cpp): whatever the model writes,
a value that is not in the customer's message never reaches the slots."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from rightfit.extract import Extractor, Slot
from rightfit.extract.text import occurs_in
from rightfit.models.llama import LlamaCppGenerator
from rightfit.models.store import ModelStore
from rightfit.types import Generation

pytestmark = pytest.mark.integration
MODEL = "smollm2-135m"
NOW = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)


class Statement(BaseModel):
    account: Annotated[str, Slot("account_id"), Field(description="the customer's account id, like ACC-123456")]
    merchant: Annotated[str | None, Slot("merchant")] = None


class AddressChange(BaseModel):
    address: Annotated[str, Slot("address"), Field(description="the new postal address (street and town)")]
    postcode: Annotated[str | None, Slot("postcode")] = None


@pytest.fixture(scope="module")
def generator() -> LlamaCppGenerator:
    store = ModelStore()
    if MODEL not in store.installed():
        pytest.fail(f"{MODEL} is not installed; `bash scripts/install dev` installs it")
    g = LlamaCppGenerator(model=MODEL, store=store, n_ctx=1024, max_tokens=96)
    g.warm_up()
    return g


class Inventing:
    """The real model, told to make values up: the worst case of a model that does not copy."""

    def __init__(self, inner: LlamaCppGenerator) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.name = inner.name
        self.outputs: list[str] = []

    def warm_up(self) -> None:
        self.inner.warm_up()

    def generate(self, *, messages: Sequence[dict[str, str]], schema: dict[str, object] | None = None,
                 max_tokens: int | None = None, on_token: Callable[[str], None] | None = None) -> Generation:
        system = ("Make up realistic example values for every field, for example account ACC-555123 and "
                  "merchant Acme Widgets Ltd. Never leave a field empty.")
        out = self.inner.generate(messages=[{"role": "system", "content": system}, *messages[1:]], schema=schema,
                                  max_tokens=max_tokens, on_token=on_token)
        self.outputs.append(out.text)
        return out


def _model_values(raw: str) -> dict[str, str]:
    try:
        obj = json.loads(raw)
    except ValueError:
        return {}
    return {k: str(v).strip() for k, v in obj.items() if str(v).strip()} if isinstance(obj, dict) else {}


def test_invented_values_are_refused(generator: LlamaCppGenerator) -> None:
    inventing = Inventing(generator)
    text = "can I get a statement for my account please"
    out = Extractor(inventing).run(text=text, schema=Statement, now=NOW)
    (raw,) = inventing.outputs
    invented = {k: v for k, v in _model_values(raw).items() if not occurs_in(v, text)}
    assert invented, f"the model copied instead of inventing; output was {raw!r}"
    for name in invented:
        assert name not in out.values
        assert name in out.dropped
    assert out.missing == ("account",)
    assert all(occurs_in(str(v), text) for k, v in out.values.items() if out.sources[k] == "model")


def test_copied_values_pass_and_nothing_outside_the_message_gets_in(generator: LlamaCppGenerator) -> None:
    text = "new address is Rose Cottage, Willow Lane, Bristol BS3 4TY"  # a named house: no parser reads it
    out = Extractor(generator).run(text=text, schema=AddressChange, now=NOW)
    assert out.values["postcode"] == "BS3 4TY" and out.sources["postcode"] == "parser"
    assert out.generation is not None and out.generation.tokens_out > 0
    if out.generation.finish_reason == "stop":
        assert set(json.loads(out.generation.text)) == {"address"}  # only the field the parser left empty
    for name, value in out.values.items():
        if out.sources[name] == "model":
            assert occurs_in(str(value), text)
    for name, why in out.dropped.items():
        assert name not in out.values and why
