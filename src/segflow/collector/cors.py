"""CORS for Segment's tracking paths only: analytics.js on any website may send events, but no
page may read back what the collector stored."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

TRACKING_PREFIX = "/v1/"
PREFLIGHT_CACHE = 3600  # seconds a browser may reuse a preflight's answer


class TrackingCORS:
    """Any origin may POST to /v1/*, with the headers Segment's senders use; other paths
    (events, requests, faults) get no CORS answers, so a browser keeps them from other sites."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["POST"],
            allow_headers=["Content-Type", "Authorization", "Content-Encoding"],
            allow_credentials=False,
            max_age=PREFLIGHT_CACHE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(TRACKING_PREFIX):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)
