"""The collector's HTTP routes: Segment's tracking API, faults, and reading back what it got."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from segflow.allowed_hosts import AllowedHosts
from segflow.collector import reading
from segflow.collector.answers import Refusal
from segflow.collector.faults import Faults
from segflow.collector.messages import ENDPOINTS
from segflow.collector.receiver import Receiver
from segflow.store import Database

Limit = Annotated[int, Query(ge=1, le=100_000, description="How many, newest first.")]


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def create_app(receiver: Receiver, *, allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The HTTP face of `receiver`; it reads events back from the receiver's database.

    It answers only to the loopback names, its own address and `allowed_hosts`."""
    app = FastAPI(title="segflow collector", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(AllowedHosts, service="The collector", hosts=allowed_hosts)
    faults = receiver.faults

    @app.post("/v1/{endpoint}")
    async def receive(endpoint: str, request: Request) -> Response:
        if endpoint not in ENDPOINTS:
            message = f"No such endpoint /v1/{endpoint}; use one of {', '.join(ENDPOINTS)}"
            return json_response({"success": False, "message": message}, 404)
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
            problems = _problems(error.errors())
            return json_response({"message": f"Faults not changed: {problems}"}, 400)
        faults.set(new)
        return json_response(faults.faults.model_dump())

    @app.delete("/faults")
    async def delete_faults() -> Response:
        faults.clear()
        return json_response(faults.faults.model_dump())

    def stored() -> Database:
        if receiver.database is None:
            raise Refusal(
                409, "This collector runs with --no-store: it keeps no events or requests"
            )
        return receiver.database

    @app.exception_handler(Refusal)
    async def refused(_request: Request, refusal: Refusal) -> Response:
        return json_response({"message": refusal.message}, refusal.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> Response:
        return json_response({"message": _problems(error.errors())}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(_request: Request, error: StarletteHTTPException) -> Response:
        return json_response({"message": error.detail}, error.status_code, error.headers)

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
            return json_response({"message": f"No collected event has id {event_id}"}, 404)
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
