"""Schemathesis fuzzes a real `segflow serve` through its OpenAPI schema: every operation of the
chat API and of the Flow Editor's API, with requests that fit the schema and with requests
that do not: first its coverage cases (each field at and past its bounds, missing, of the
wrong type), then random ones. None may answer 5xx, and the server still answers /health
afterwards. Path parameters name existing flows and chats in half the requests, so that the
request reaches past the lookup."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema

from tests.api.chats import START, WITH_TRIAL_SIGNUP
from tests.serve_process import ServeProcess

TOKEN = "fuzzing-token"
AUTHORIZATION = {"Authorization": f"Bearer {TOKEN}"}
# Random examples per operation and kind (fitting the schema or not): the whole fuzz run, on
# SQLite and PostgreSQL, takes about 70 s on two idle cores.
# SEGFLOW_FUZZ_EXAMPLES=200 digs deeper, for a run by hand.
EXAMPLES = int(os.environ.get("SEGFLOW_FUZZ_EXAMPLES", "50"))
# The Events stream of a preview stays open for 25 s by design: not worth fuzzing.
EXCLUDED = {("GET", "/editor/api/preview/{session_id}/events")}
FLOW = "trial-signup"


@pytest.fixture
def fuzzed(database_url: str, tmp_path: Path) -> Iterator[ServeProcess]:
    environment = {"SEGFLOW_EDITOR_TOKEN": TOKEN, "SEGFLOW_NEW_CHATS_PER_MINUTE": "0"}
    with ServeProcess(
        database_url, tmp_path / "home", args=WITH_TRIAL_SIGNUP, environment=environment
    ) as server:
        yield server


def test_no_request_makes_segflow_fail(fuzzed: ServeProcess) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # segflow's schema is valid OpenAPI
        operations.append(result.ok())
    fuzzed_paths = {operation.path for operation in operations}
    assert {"/api/v1/flows/{flowId}/startChat", "/editor/api/flows/{flow_id}/draft"} <= (
        fuzzed_paths
    )
    existing = _ExistingIds(fuzzed)
    for operation in operations:
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        _cover(fuzzed, schema, operation, existing)
        for mode in _modes(operation):
            _fuzz(fuzzed, operation, mode, existing)
    assert fuzzed.api.get("/healthz").json() == {"status": "ok"}


def _cover(
    server: ServeProcess, schema: BaseSchema, operation: APIOperation, existing: _ExistingIds
) -> None:
    """Schemathesis's coverage cases of the operation: as generated, and again with existing
    IDs in the path."""
    config = schema.config.generation_for(operation=operation, phase="coverage")
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    for case in schema.iter_coverage_cases(
        operation, generation_modes=modes, generation_config=config
    ):
        _check(server, case)
        if isinstance(case.path_parameters, dict) and case.path_parameters:
            case.path_parameters = existing.fill(case.path_parameters)
            _check(server, case)


def _check(server: ServeProcess, case: Case) -> None:
    response = case.call(base_url=server.url, headers=AUTHORIZATION, timeout=30)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.text[:500]}\n{case.as_curl_command()}\n{server.output()[-3000:]}"
    )
    assert server.exit_code is None, server.output()


def _modes(operation: APIOperation) -> list[GenerationMode]:
    """Requests that fit the schema; and that do not, for an operation that takes anything."""
    takes = [operation.path_parameters, operation.query, operation.body]
    if any(len(inputs) for inputs in takes):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _fuzz(
    server: ServeProcess, operation: APIOperation, mode: GenerationMode, existing: _ExistingIds
) -> None:
    """Calls the operation with EXAMPLES cases; half of those with path parameters name a flow,
    chat or preview that exists, so that the request reaches past the lookup."""
    cases = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, use_existing=st.booleans())
    def call(case: Case, use_existing: bool) -> None:
        if use_existing and isinstance(case.path_parameters, dict):
            case.path_parameters = existing.fill(case.path_parameters)
        _check(server, case)

    try:
        call()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            return  # nothing the operation takes can be made invalid, e.g. a free-form path ID
        raise


class _ExistingIds:
    """Path parameters naming things that exist: a new chat or preview for each call, as
    answering one moves it on."""

    def __init__(self, server: ServeProcess) -> None:
        self._server = server
        self._makers: dict[str, Callable[[], str]] = {
            "flowId": lambda: FLOW,
            "flow_id": lambda: FLOW,
            "sessionId": self._chat,
            "session_id": self._preview,
        }

    def fill(self, parameters: dict[str, Any]) -> dict[str, Any]:
        return {
            name: self._makers[name]() if name in self._makers else value
            for name, value in parameters.items()
        }

    def _chat(self) -> str:
        started: str = self._server.api.post(START).json()["sessionId"]
        return started

    def _preview(self) -> str:
        answer = self._server.api.post(
            "/editor/api/preview", json={"flowId": FLOW}, headers=AUTHORIZATION
        )
        assert answer.status_code == 201, answer.text
        preview: str = answer.json()["sessionId"]
        return preview
