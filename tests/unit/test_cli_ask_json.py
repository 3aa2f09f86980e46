"""`rightfit ask --json` names things as `POST /v1/ask` does, so a script can read either (no index, no model)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from rightfit.cli.app import app
from rightfit.types import Answer, Citation

ANSWERED = Answer(question="How long do complaints take?", text="We reply to complaints within 8 weeks.",
                  abstained=False, confidence=0.82, reason="", trace_id="t-1",
                  citations=(Citation(doc_id="complaints", chunk_id="complaints#0", title="Complaints",
                                      section="Complaints > How long it takes", start=10, end=48,
                                      quote="We reply to complaints within 8 weeks."),))
ABSTAINED = Answer(question="Do you sell boats?", text=None, abstained=True, confidence=0.1,
                   reason="no passage supports an answer", trace_id="t-2", rejected=True)


def ask_json(monkeypatch: pytest.MonkeyPatch, answer: Answer) -> dict[str, object]:
    import rightfit.cli.docs  # noqa: F401  (registers `ask` on `app`)

    monkeypatch.delenv("RIGHTFIT_CONFIG", raising=False)

    monkeypatch.setattr("rightfit.cli.docs.pipeline", lambda _settings: SimpleNamespace(ask=lambda **_: answer))
    result = CliRunner().invoke(app, ["ask", answer.question, "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


@pytest.mark.parametrize("answer", [ANSWERED, ABSTAINED], ids=["answered", "abstained"])
def test_ask_json_uses_the_http_api_field_names_and_values(monkeypatch: pytest.MonkeyPatch, answer: Answer) -> None:
    from rightfit.server.app import _answer_out

    shown = ask_json(monkeypatch, answer)

    api = _answer_out(answer).model_dump()  # what POST /v1/ask returns for the same answer
    assert {k: v for k, v in shown.items() if k != "rejected"} == api
    assert shown["answer"] == answer.text and "text" not in shown
    assert shown["rejected"] is answer.rejected  # the one thing the CLI says beyond the API
