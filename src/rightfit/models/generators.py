"""One place that turns a rung name into a generator: a packaged GGUF model in process, or an endpoint."""

from __future__ import annotations

from rightfit.core.errors import ConfigError, InvalidInputError
from rightfit.core.protocols import Generator
from rightfit.core.settings import Settings, rung_models


def make_generator(settings: Settings, model: str, *, n_ctx: int | None = None,
                   max_tokens: int | None = None) -> Generator:
    """`model` is a packaged or registered model name, or 'openai:MODEL' for the configured endpoint."""
    g = settings.generation
    tokens = max_tokens if max_tokens is not None else g.max_tokens
    if model.startswith("openai:"):
        from rightfit.models.openai_http import OpenAICompatibleGenerator

        e = settings.endpoint
        if e.base_url is None:
            raise ConfigError(f"rung {model!r} needs [endpoint] base_url in the settings")
        return OpenAICompatibleGenerator(
            base_url=e.base_url, model=model.removeprefix("openai:"), api_key_env=e.api_key_env,
            timeout=e.timeout, retries=e.retries, max_concurrency=e.max_concurrency, max_tokens=tokens,
            schema_style=e.schema_style)
    from rightfit.models.llama import LlamaCppGenerator

    return LlamaCppGenerator(model=model, n_ctx=n_ctx if n_ctx is not None else g.n_ctx, threads=g.threads,
                             max_tokens=tokens)


def check_rung(settings: Settings, rung: str) -> None:
    """Refuse, before anything runs, a rung whose models cannot load: an unknown or uninstalled model, or an
    endpoint rung without [endpoint] base_url (a report of a rung that never ran reads as 0% everywhere)."""
    from rightfit.models.store import ModelStore

    store = ModelStore()
    for model in rung_models(rung):
        if model.startswith("openai:"):
            if settings.endpoint.base_url is None:
                raise ConfigError(f"rung {rung!r} needs [endpoint] base_url in the settings")
            continue
        if model not in (known := store.known_names()):
            raise InvalidInputError(f"unknown rung {rung!r}; use 'extractive', a model ({', '.join(known)}), "
                                    "'extractive+MODEL' or 'openai:MODEL'")
        store.resolve(model)  # ModelError naming the fix: not installed, or its file changed
