"""Configuration as validated data: unknown keys are errors, not silently ignored."""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from rightfit.core.errors import ConfigError

logger = logging.getLogger(__name__)


class ChunkingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_chars: int = Field(900, ge=100, le=20_000, description="Size cap of one chunk, in characters.")


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fusion: Literal["rrf", "weighted", "bm25", "dense"] = "rrf"
    dense_weight: float = Field(0.5, ge=0.0, le=1.0, description="Weight of dense scores in weighted fusion.")
    rrf_k: int = Field(60, ge=1, le=1000)
    candidates: int = Field(50, ge=1, le=1000, description="Hits each retriever passes to fusion.")
    top_k: int = Field(5, ge=1, le=100)
    synonyms: dict[str, list[str]] = Field(
        default_factory=dict, description="The documents' term and customers' words for it (ATM = [\"cashpoint\", "
        "\"cash machine\"]): a question is rewritten in the documents' terms before retrieval and answering.")

    @field_validator("synonyms")
    @classmethod
    def _synonyms_are_words(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for term, variants in value.items():
            if not term.strip() or any(not v.strip() for v in variants):
                raise ValueError(f"synonyms: an empty word in {term!r} = {variants!r}; remove it")
            for v in variants:
                key = " ".join(v.lower().split())
                if key in seen and seen[key] != term:
                    raise ValueError(f"synonyms: {v!r} is listed for both {seen[key]!r} and {term!r}; keep one")
                seen[key] = term
        return value


class RerankSettings(BaseModel):
    """The cross-encoder reranker over the fused hits (see `rightfit tune reranker`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    model: Path | None = Field(None, description="Reranker directory: model.onnx or a cross-encoder checkpoint, "
                                                 "with tokenizer.json and rightfit-reranker.json.")
    top_n: int = Field(30, ge=1, le=1000, description="Fused hits the cross-encoder rescores.")
    batch_size: int = Field(8, ge=1, le=1024, description="Pairs per model call; small batches of similar "
                                                          "length waste less work on padding.")
    max_length: int | None = Field(None, ge=16, le=512, description="Tokens per pair (default: the model's).")
    if_missing: Literal["error", "skip"] = Field(
        "error", description="When the model directory does not exist: fail, or serve without reranking.")


JUDGED = "extractive+"


def judge_model(rung: str) -> str | None:
    """The model named by a judged rung ('extractive+qwen2.5-1.5b'), else None."""
    return rung.removeprefix(JUDGED) if rung.startswith(JUDGED) else None


def rung_models(rung: str) -> list[str]:
    """The generative models a rung runs: none for 'extractive', the judge for a judged rung, else itself."""
    if rung == "extractive":
        return []
    judge = judge_model(rung)
    return [judge if judge is not None else rung]


class JudgeSettings(BaseModel):
    """Judged rungs ('extractive+MODEL'): the model says whether the extractive answer answers the question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(0.5, ge=0.0, le=1.0, description="Share of the judge's P(yes) in the confidence; the "
                          "rest is the extractive sentence score.")
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="Below this blended confidence a judged rung "
                             "abstains (calibrate it with `rightfit eval answers --rung extractive+MODEL`).")
    candidates: int = Field(1, ge=1, le=5, description="Candidate answers judged per question: the best "
                            "sentence of each of this many chunks; the best blended one is given. Each costs "
                            "one model call.")
    pages: str = Field("an organisation's help pages", min_length=3, max_length=200,
                       description="What the documents are, in the judge's prompt: \"You check whether a passage "
                                   "from PAGES answers a customer's question.\"")


class AnswerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rung: str = Field("extractive", description="'extractive', the name of an installed or registered model, "
                      "or 'extractive+MODEL': extractive answers that MODEL checks before they are given.")
    abstain_threshold: float = Field(
        0.5, ge=0.0, le=1.0, description="Below this confidence the answerer says it can't find the answer."
    )
    passages: int = Field(5, ge=1, le=50, description="Top passages the answerer reads.")
    generative_gate: float | None = Field(
        None, ge=0.0, le=1.0,
        description="For generative rungs: abstain without generating when the extractive confidence of the "
                    "best sentence is below this (None: always generate).")
    max_sentences: int = Field(2, ge=1, le=5)
    known_terms: tuple[str, ...] = Field(
        (), description="Names the verifier of generated answers accepts without a passage that contains them: "
                        "your organisation's and products' own names (each word of them passes).")
    judge: JudgeSettings = JudgeSettings()

    @field_validator("rung")
    @classmethod
    def _named(cls, rung: str) -> str:
        if not rung.strip() or judge_model(rung) in ("", "extractive"):
            raise ValueError(f"rung {rung!r} names no model; use 'extractive', a model name or "
                             "'extractive+MODEL'")
        return rung


class GenerationSettings(BaseModel):
    """Options of the generative rungs (ignored by the extractive rung)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_ctx: int = Field(4096, ge=512, le=131_072, description="Context window of the in-process model.")
    threads: int | None = Field(None, ge=1, le=256, description="CPU threads (default: up to 2).")
    max_tokens: int = Field(160, ge=16, le=4096, description="Longest answer, in tokens.")
    prompt_budget: int = Field(1200, ge=200, le=100_000, description="Token budget for system text + passages.")
    passages: int = Field(3, ge=1, le=20, description="Top passages shown to the model.")


class EndpointSettings(BaseModel):
    """An OpenAI-compatible endpoint, used by rungs named 'openai:MODEL'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1")
    api_key_env: str | None = Field(None, description="Name of the environment variable holding the API key.")
    timeout: float = Field(60.0, gt=0, le=3600)
    retries: int = Field(3, ge=0, le=10)
    max_concurrency: int = Field(4, ge=1, le=256)
    schema_style: Literal["json_schema", "json_object"] = "json_schema"


class LimitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_query_chars: int = Field(2000, ge=10, le=100_000)
    max_request_bytes: int = Field(64_000, ge=1_000, le=10_000_000)
    body_timeout_s: float = Field(30.0, gt=0, le=600, description="A request body not received within this many "
                                  "seconds is answered 408 and the connection closed.")
    max_file_bytes: int = Field(20_000_000, ge=1_000, description="Largest document indexed: a whole file, or "
                                "one line of a JSONL file (a JSONL corpus itself may be larger).")


class AssistantSettings(BaseModel):
    """The conversational assistant (POST /v1/chat): which application it runs and how it routes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app: Path | None = Field(None, description="The application package folder (relative to the config file), "
                             "e.g. the bank example's app/.")
    intent_threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Below this intent probability a message is treated as out of scope "
        "unless the documents answer it (None: the threshold chosen by cross-validation when the classifier was "
        "trained, rejecting at most 5% of correctly classified held-out messages).")
    switch_threshold: float = Field(0.7, ge=0.0, le=1.0, description="While filling in an action, a message "
                                    "that gives no field starts a new intent only above this probability.")
    handoff_threshold: float = Field(0.6, ge=0.0, le=1.0, description="A hand-off to a colleague that only the "
                                     "classifier reads (the app's words did not ask for a person) opens a ticket "
                                     "above this probability; below it the customer is asked first.")
    refuse_threshold: float = Field(0.5, ge=0.0, le=1.0, description="A message read as off-topic that the "
                                    "documents do not answer is refused only at or above this probability; below "
                                    "it (\"can he get his statements in large print?\") it gets \"I can't find "
                                    "that\" with the offer of a colleague.")
    demo_login: bool = Field(False, description="Offer POST /v1/demo/login, which hands out a token for any "
                             "seeded customer. For local demos only.")
    extract_model: str | None = Field(None, description="Model that fills the fields the parsers leave empty "
                                      "(a packaged model name or 'openai:MODEL'); None: parsers only.")
    mend_typos: bool = Field(True, description="Before a message is classified, mend words one edit away from "
                             "the app's own labelled messages (\"blok my crad\" reads as \"block my card\"); fields "
                             "are always read from the message as written.")
    token_ttl_hours: float = Field(8.0, gt=0, le=24 * 30)
    max_message_chars: int = Field(2000, ge=10, le=100_000)


class GuardSettings(BaseModel):
    """Input and output guards of the assistant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    model: Path | None = Field(None, description="Injection detector artifact (`rightfit guard train`); None: "
                               "train one on first start from the app's guard data and `training_data`, and cache it.")
    training_data: list[Path] = Field(default_factory=list, description="Extra text,label CSVs (1 = injection) "
                                      "for that training, relative to the config file; missing files are skipped "
                                      "with a warning.")
    max_fpr: float = Field(0.02, ge=0.0, le=0.2, description="Share of benign banking messages the threshold may "
                           "flag, measured out of fold.")
    scan_documents: bool = Field(True, description="Scan document chunks for instructions aimed at the assistant "
                                 "when indexing, and flag them.")
    answer_from_flagged: bool = Field(False, description="Let flagged chunks reach answers (they are still shown to "
                                      "the model as quoted data).")


class TokenPrice(BaseModel):
    """Money per million tokens of a remote endpoint model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(0.0, ge=0.0)
    output: float = Field(0.0, ge=0.0)


class PriceSettings(BaseModel):
    """The price sheet that turns a request's CPU time and tokens into money."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field("USD", min_length=1, max_length=8)
    cpu_hour: float = Field(0.04, ge=0.0, description="Money per CPU-hour of local work (inference included).")
    endpoint: dict[str, TokenPrice] = Field(default_factory=dict, description="Per endpoint model (the name "
                                            "after 'openai:'), money per million input and output tokens.")


class Gate(BaseModel):
    """A threshold on one suite metric: a minimum for quality, a maximum for latency and cost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suite: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None


class FitTask(BaseModel):
    """One task of the ladder: which suites judge it, which setting picks its rung, and the rungs to try,
    cheapest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suites: list[str] = Field(min_length=1)
    setting: Literal["answer.rung", "assistant.extract_model"]
    rungs: list[str] = Field(min_length=1, description="Rung names ('extractive', 'parsers', a packaged model, "
                             "'openai:MODEL'), cheapest first.")


class EvalSettings(BaseModel):
    """Eval suites, the price sheet, the gates and the ladder (`rightfit eval run|gate`, `rightfit fit`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suites: Path | None = Field(None, description="Folder with suites.toml (relative to the config file).")
    baseline: Path | None = Field(None, description="Saved run the gate compares against (relative to the "
                                  "config file).")
    repeats: int = Field(1, ge=1, le=20, description="Runs per suite for rungs that are not deterministic.")
    bootstrap: int = Field(1000, ge=100, le=100_000, description="Bootstrap resamples for confidence intervals.")
    confidence: float = Field(0.95, gt=0.5, lt=1.0)
    regression_margin: float = Field(0.02, ge=0.0, le=1.0, description="Against the baseline, a quality metric "
                                     "fails only when it dropped by more than this and its confidence interval "
                                     "excludes no change.")
    prices: PriceSettings = Field(default_factory=PriceSettings)
    gates: list[Gate] = Field(default_factory=list)
    tasks: dict[str, FitTask] = Field(default_factory=dict, description="The ladder's tasks, by name.")


# The TOML file's table while load_settings builds a Settings: a source of its own so that environment
# variables rank above it (constructor arguments would rank above the environment).
_FILE_DATA: ContextVar[dict[str, Any] | None] = ContextVar("_FILE_DATA", default=None)


class _FileSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return (_FILE_DATA.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_FILE_DATA.get() or {})


class Settings(BaseSettings):
    """rightfit settings: defaults, then a TOML file, then RIGHTFIT_* environment variables, then explicit
    arguments (command-line flags)."""

    model_config = SettingsConfigDict(
        extra="forbid", frozen=True, env_prefix="RIGHTFIT_", env_nested_delimiter="__"
    )

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
                                   file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _FileSource(settings_cls)

    data_dir: Path = Path(".rightfit")
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    rerank: RerankSettings = Field(default_factory=RerankSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    endpoint: EndpointSettings = Field(default_factory=EndpointSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    evals: EvalSettings = Field(default_factory=EvalSettings)
    trace_content: bool = Field(False, description="Record query text in traces (off: only sizes and ids).")

    @field_validator("data_dir")
    @classmethod
    def _data_dir_is_a_directory(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a directory; pass a directory (it is created if missing)")
        return value


# Settings that name files or folders; in a config file they are relative to that file.
RELATIVE_PATHS = (("rerank", "model"), ("guard", "model"), ("guard", "training_data"), ("assistant", "app"),
                  ("evals", "suites"), ("evals", "baseline"))


def _relative_to(config: Path, value: object) -> str:
    path = Path(str(value))
    return str(path if path.is_absolute() else (config.parent / path).resolve())


def read_toml(path: Path, *, label: str, fix: str) -> dict[str, Any]:
    """A TOML file as a dict; a missing or malformed file is a ConfigError naming it (and, if missing, `fix`)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label} does not exist; {fix}") from None
    except IsADirectoryError:
        raise ConfigError(f"{label} is a directory; pass the TOML file inside it") from None
    except OSError as exc:
        raise ConfigError(f"{label} cannot be read ({exc.strerror}); {fix}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label} is not valid TOML: {exc}") from None


def settings_sha256(settings: Settings) -> str:
    """What a lock and a saved eval run record: every setting but where the data lives."""
    data = settings.model_dump(mode="json", exclude={"data_dir"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load_settings(config: Path | None = None, **overrides: object) -> Settings:
    """Settings from an optional TOML file, overridden by RIGHTFIT_* environment variables, with explicit
    overrides winning over both.

    Raises ConfigError naming the file and the bad key, instead of pydantic's raw error.
    """
    data: dict[str, object] = {}
    if config is not None:
        data = read_toml(config, label=f"config file {config}", fix="pass an existing --config path")
        # Relative paths in a config file are relative to that file, so configs are portable.
        if "data_dir" in data:
            data["data_dir"] = _relative_to(config, data["data_dir"])
        for section, key in RELATIVE_PATHS:
            table = data.get(section)
            if not isinstance(table, dict) or key not in table:
                continue
            value = table[key]
            table[key] = [_relative_to(config, v) for v in value] if isinstance(value, list) else _relative_to(
                config, value)
    token = _FILE_DATA.set(data)
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        sources = [str(config)] if config else []
        fields = {f.upper() for f in Settings.model_fields}
        prefix = str(Settings.model_config.get("env_prefix", ""))
        sources += sorted(k for k in os.environ
                          if k.upper().startswith(prefix) and k.upper()[len(prefix):].split("__")[0] in fields)
        where = f" (from {', '.join(sources)})" if sources else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings{where}: {problems}") from None
    except SettingsError as exc:  # an environment variable for a whole table or list that is not JSON
        raise ConfigError(f"invalid settings: {exc}; a variable such as RIGHTFIT_RETRIEVAL or "
                          "RIGHTFIT_GUARD__TRAINING_DATA takes JSON (or set one key: RIGHTFIT_RETRIEVAL__TOP_K=10)"
                          ) from None
    finally:
        _FILE_DATA.reset(token)
    _warn_unused_variables(settings)
    return settings


# RIGHTFIT_ variables that are no setting but are read elsewhere: by the command line, the model store, scripts/.
OTHER_VARIABLES = ("RIGHTFIT_CONFIG", "RIGHTFIT_MODEL_DIR", "RIGHTFIT_RERANKER", "RIGHTFIT_FAST_START",
                   "RIGHTFIT_WHEEL_CACHE")
_WARNED: set[str] = set()  # each unused variable is named once per process, however often settings load


def _variable_names(model: type[BaseModel], prefix: str) -> list[str]:
    """Every environment variable a setting is read from: RIGHTFIT_DATA_DIR, RIGHTFIT_ANSWER,
    RIGHTFIT_ANSWER__ABSTAIN_THRESHOLD, RIGHTFIT_ANSWER__JUDGE__THRESHOLD ..."""
    names = []
    for field_name, info in model.model_fields.items():
        name = f"{prefix}{field_name.upper()}"
        names.append(name)
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            names += _variable_names(info.annotation, f"{name}__")
    return names


def unused_variables(environ: dict[str, str], settings: Settings) -> list[tuple[str, str]]:
    """RIGHTFIT_ variables no setting reads (pydantic-settings ignores them), each with what to write instead.

    A wrong key inside a section (RIGHTFIT_ANSWER__TRESHOLD) is already an error; what is left is a name whose
    section is unknown, mostly a single underscore where the section and key need two."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    top = {f.upper() for f in Settings.model_fields}
    sections = {f.upper() for f, info in Settings.model_fields.items()
                if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)}
    others = {*OTHER_VARIABLES, *([settings.endpoint.api_key_env.upper()] if settings.endpoint.api_key_env else [])}
    names = _variable_names(Settings, prefix)
    unused = []
    for variable in sorted(environ):
        upper = variable.upper()
        if not upper.startswith(prefix) or upper in others:
            continue
        first, nested, _ = upper[len(prefix):].partition("__")
        if first in top and (not nested or first in sections):
            continue
        same = [n for n in names if n.replace("__", "_") == upper.replace("__", "_")]
        if same:
            fix = f"write {same[0]} (two underscores between section and key)"
        elif close := difflib.get_close_matches(upper, [*names, *others], n=1, cutoff=0.8):
            fix = f"did you mean {close[0]}?"
        else:
            fix = (f"a setting is {prefix}SECTION__KEY, with two underscores between section and key (as in "
                   f"{prefix}ANSWER__ABSTAIN_THRESHOLD), or a top-level one such as {prefix}DATA_DIR")
        unused.append((variable, fix))
    return unused


def _warn_unused_variables(settings: Settings) -> None:
    for variable, fix in unused_variables(dict(os.environ), settings):
        if variable not in _WARNED:
            _WARNED.add(variable)
            logger.warning("environment variable %s matches no setting and is ignored; %s", variable, fix)
