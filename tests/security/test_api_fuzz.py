"""The HTTP API fuzzed from its own OpenAPI spec with schemathesis, against a real server process: zero server
errors and no response that breaks the spec, for valid and invalid inputs, with and without a bearer token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import serve_assistant_copy

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fuzz_server(assistant_template: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    with serve_assistant_copy(assistant_template, tmp_path_factory, "fuzz") as (base, _):
        yield base


def test_no_server_errors(fuzz_server: str) -> None:
    token = httpx.post(f"{fuzz_server}/v1/demo/login", json={"customer_id": "C001"}, timeout=30).json()["token"]
    schema = schemathesis.openapi.from_url(f"{fuzz_server}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/chat", "/v1/chat/completions", "/v1/ask", "/v1/search"}
    for operation in operations:
        for auth in ({"Authorization": f"Bearer {token}"}, {}):
            check = _checker(operation, auth, failures)
            check()
    assert failures == [], "\n".join(failures[:20])


def _checker(operation, auth: dict, failures: list[str]):  # noqa: ANN001, ANN202
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case) -> None:  # noqa: ANN001
        response = case.call(headers=auth, timeout=60)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.path}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400 and response.status_code != 405:  # refusals say why
            if not response.json().get("error", {}).get("message"):
                failures.append(f"{case.method} {case.path}: {response.status_code} without a reason")

    return check
