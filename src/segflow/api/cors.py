"""CORS for the public chat API only: a website on another origin may chat, but never reach
the Flow Editor's API or the collector, whatever its origin."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC_PREFIX = "/api/"
PREFLIGHT_CACHE = 3600  # seconds a browser may reuse a preflight's answer


class PublicCORS:
    """Starlette's CORS answers on the public chat API's paths (not on its previews, which
    are behind the editor token); other paths are passed on untouched."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["Retry-After"],  # a page told 429 can read when to retry
            allow_credentials=False,
            max_age=PREFLIGHT_CACHE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public(scope["path"]):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIX) and "/preview/" not in path


def parse_origins(setting: str) -> list[str]:
    """`*`, or origins separated by commas: https://example.com,https://www.example.com."""
    return [origin.strip().rstrip("/") for origin in setting.split(",") if origin.strip()]
