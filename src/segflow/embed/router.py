"""The embed's routes: its static files for pages on any origin, and the share page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from segflow.chat import FlowNotFoundError, Flows
from segflow.embed.share_page import missing_flow_page, share_page

STATIC = Path(__file__).with_name("static")
_TYPES = {".js": "text/javascript", ".css": "text/css"}
# Pages on other origins load the script as a module, which needs CORS; a day fresh, then a
# week of revalidating in the background (ETag), so an upgrade of segflow reaches them.
_ASSET_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Cache-Control": "public, max-age=86400, stale-while-revalidate=604800",
    "X-Content-Type-Options": "nosniff",
}
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' http: https: data:; "
    "base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cache-Control": "no-cache",
}


def embed_router(flows: Flows) -> APIRouter:
    router = APIRouter(tags=["embed"])

    @router.api_route("/embed/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def asset(request: Request, path: str) -> Response:
        root = STATIC.resolve()
        candidate = (root / path).resolve()
        if not candidate.is_relative_to(root) or candidate.suffix not in _TYPES:
            return _not_found()
        if not candidate.is_file():
            return _not_found()
        found = FileResponse(
            candidate,
            media_type=_TYPES[candidate.suffix],
            headers=_ASSET_HEADERS,
            stat_result=candidate.stat(),  # sets the ETag now, to answer If-None-Match
        )
        if request.headers.get("if-none-match") == found.headers["etag"]:
            return Response(
                status_code=304, headers={**_ASSET_HEADERS, "ETag": found.headers["etag"]}
            )
        return found

    @router.get("/chat/{flow_id}", include_in_schema=False)
    def share(flow_id: str) -> Response:
        """The published flow's chat on a page of its own, to share as a link."""
        try:
            published = flows.published(flow_id)
        except FlowNotFoundError:
            return HTMLResponse(missing_flow_page(flow_id), 404, headers=_PAGE_HEADERS)
        page = share_page(flow_id, published.flow.name, published.flow.description)
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    return router


def _not_found() -> Response:
    return Response("Not found", status_code=404, media_type="text/plain", headers=_ASSET_HEADERS)
