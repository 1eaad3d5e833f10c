"""The collector's HTTP routes: Segment's tracking API, faults, and reading back what it got."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from segflow.allowed_hosts import AllowedHosts
from segflow.collector import reading
from segflow.collector.answers import SUCCESS, ErrorCode, Refusal, error_body
from segflow.collector.cors import TrackingCORS
from segflow.collector.faults import Faults
from segflow.collector.messages import ENDPOINTS, SHORT_PATHS
from segflow.collector.receiver import Receiver
from segflow.serving import fastapi_telemetry
from segflow.store import Database

Limit = Annotated[int, Query(ge=1, le=100_000, description="How many, newest first.")]


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def create_app(receiver: Receiver, *, allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The HTTP face of `receiver`; it reads events back from the receiver's database.

    It answers only to the loopback names, its own address and `allowed_hosts`."""
    app = FastAPI(
        title="segflow collector",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=fastapi_telemetry(),
    )
    app.add_middleware(AllowedHosts, service="The collector", hosts=allowed_hosts)
    app.add_middleware(TrackingCORS)
    faults = receiver.faults

    @app.post("/v1/m")
    async def metrics() -> Response:
        # analytics.js reports its own health here, not a visitor's events: nothing to keep.
        return json_response(SUCCESS.body)

    @app.post("/v1/{endpoint}")
    async def receive(endpoint: str, request: Request) -> Response:
        if endpoint not in ENDPOINTS and endpoint not in SHORT_PATHS:
            message = (
                f"No such endpoint /v1/{endpoint}; use one of {', '.join(ENDPOINTS)} "
                f"(or analytics.js's {', '.join(SHORT_PATHS)})"
            )
            return json_response(error_body(ErrorCode.UNKNOWN_ENDPOINT, message), 404)
        answer = await receiver.receive(
            endpoint,
            await request.body(),
            content_encoding=request.headers.get("content-encoding"),
            authorization=request.headers.get("authorization"),
        )
        return json_response(answer.body, answer.status, answer.headers)

    @app.get("/health")
    async def health() -> Response:
        return json_response({"status": "ok", "storing": receiver.database is not None})

    @app.get("/stats")
    async def stats() -> Response:
        return json_response(asdict(receiver.counts))

    @app.get("/faults")
    async def get_faults() -> Response:
        return json_response(faults.faults.model_dump())

    @app.put("/faults")
    async def put_faults(request: Request) -> Response:
        try:
            new = Faults.model_validate_json(await request.body() or b"{}")
        except ValidationError as error:
            problems = f"Faults not changed: {_problems(error.errors())}"
            return json_response(error_body(ErrorCode.INVALID_FAULTS, problems), 400)
        faults.set(new)
        return json_response(faults.faults.model_dump())

    @app.delete("/faults")
    async def delete_faults() -> Response:
        faults.clear()
        return json_response(faults.faults.model_dump())

    def stored() -> Database:
        if receiver.database is None:
            raise Refusal(
                409,
                ErrorCode.NOT_STORING,
                "This collector runs with --no-store: it keeps no events or requests",
            )
        return receiver.database

    @app.exception_handler(Refusal)
    async def refused(_request: Request, refusal: Refusal) -> Response:
        answer = refusal.answer
        return json_response(answer.body, answer.status, answer.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> Response:
        return json_response(error_body(ErrorCode.INVALID_QUERY, _problems(error.errors())), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = error.headers or {}
        if error.status_code == 405:
            allowed = Headers(headers).get("allow", "")  # Starlette sends "Allow"
            message = f"{request.url.path} does not take {request.method}; use {allowed}"
            body = error_body(ErrorCode.METHOD_NOT_ALLOWED, message)
        elif error.status_code == 404:
            message = f"No such endpoint: {request.method} {request.url.path}"
            body = error_body(ErrorCode.NOT_FOUND, message)
        else:
            body = error_body(ErrorCode.INVALID_QUERY, str(error.detail))
        return json_response(body, error.status_code, headers)

    @app.get("/events")
    def events(
        event_type: Annotated[str | None, Query(alias="type")] = None,
        message_id: str | None = None,
        limit: Limit = 100,
    ) -> Response:
        found = reading.list_events(
            stored().engine, type=event_type, message_id=message_id, limit=limit
        )
        return json_response({"events": [event.to_json() for event in found]})

    @app.get("/events/{event_id}")
    def event(event_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> Response:
        found = reading.get_event(stored().engine, event_id)
        if found is None:
            message = f"No collected event has id {event_id}"
            return json_response(error_body(ErrorCode.NOT_FOUND, message), 404)
        return json_response(found.to_json())

    @app.get("/requests")
    def requests(limit: Limit = 100) -> Response:
        found = reading.list_requests(stored().engine, limit=limit)
        return json_response({"requests": [request.to_json() for request in found]})

    return app


def _problems(errors: Sequence[Any]) -> str:
    """Pydantic's errors as one line: `limit: Input should be greater than or equal to 1`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc'] if part not in ('query', 'path')) or 'body'}: "
        f"{e['msg']}"
        for e in errors
    )
