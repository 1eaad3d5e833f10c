"""Routes for whoever runs segflow: a process supervisor or load balancer asks /healthz (is the
process up?) and /readyz (can it serve chats: database reachable, schema current?); Prometheus
scrapes /metrics. They sit on the chat API's port, outside /api/v1, without the editor token;
SEGFLOW_METRICS_TOKEN guards /metrics when the API is public."""

from __future__ import annotations

import secrets

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from segflow.api.errors import error_response
from segflow.metrics import CONTENT_TYPE, Metrics
from segflow.service import Segflow


class Health(BaseModel):
    status: str


def operations_router(segflow: Segflow, metrics: Metrics) -> APIRouter:
    router = APIRouter(tags=["operations"])
    token = segflow.settings.metrics_token

    @router.get("/healthz", summary="Is the process up?")
    async def healthz() -> Health:
        """Answers 200 as long as the process serves HTTP; it reads nothing else."""
        return Health(status="ok")

    @router.get(
        "/readyz",
        summary="Can it serve chats?",
        responses={503: {"description": "Not ready: the message says why"}},
    )
    async def readyz() -> Response:
        """200 when the database answers and its schema is the one this segflow expects;
        503 with the reason otherwise (database unreachable, schema of another version)."""
        # On a thread of its own: a database that hangs must not hold up the event loop.
        problem = await anyio.to_thread.run_sync(segflow.database.unready)
        if problem is not None:
            return error_response(503, f"Not ready: {problem}")
        return Response(Health(status="ready").model_dump_json(), media_type="application/json")

    @router.get(
        "/metrics",
        summary="Metrics for Prometheus",
        responses={401: {"description": "SEGFLOW_METRICS_TOKEN is set and was not given"}},
    )
    async def metrics_page(request: Request) -> Response:
        """Prometheus text format: each destination's queued, retrying and dead-lettered
        messages and the age of its oldest queued one; the messages this process delivered
        and dead-lettered, its batch durations, its chat turns and their durations."""
        if token is not None:
            given = request.headers.get("authorization", "")
            expected = f"Bearer {token.get_secret_value()}"
            if not secrets.compare_digest(given.encode(), expected.encode()):
                answer = error_response(
                    401, "/metrics needs the header Authorization: Bearer <SEGFLOW_METRICS_TOKEN>"
                )
                answer.headers["WWW-Authenticate"] = "Bearer"
                return answer
        page = await anyio.to_thread.run_sync(metrics.render)
        return Response(page, media_type=CONTENT_TYPE)

    return router
