"""The editor's web app: static files, behind the token; /editor/?token=… logs the browser in."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from segflow.editor.auth import COOKIE_NAME, COOKIE_PATH, EditorAuth

STATIC = Path(__file__).with_name("static")
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' http: https: data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_LOCKED = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>segflow editor</title><link rel="icon" href="data:,"></head><body>
<h1>The Flow Editor needs its token</h1>
<p>Open the address <code>segflow serve</code> printed when it started:
<code>http://…/editor/?token=…</code>. The token is also in the file <code>editor-token</code>
in segflow's home folder, unless <code>SEGFLOW_EDITOR_TOKEN</code> sets it.</p></body></html>"""


def static_router(auth: EditorAuth) -> APIRouter:
    router = APIRouter(prefix="/editor")

    @router.get("", include_in_schema=False)
    def editor_root() -> Response:
        return RedirectResponse("/editor/", status_code=307)

    @router.get("/", include_in_schema=False)
    def index(request: Request, token: str | None = None) -> Response:
        if token is not None:
            return _log_in(request, auth, token)
        return _file(request, auth, "index.html")

    @router.get("/{path:path}", include_in_schema=False)
    def asset(request: Request, path: str) -> Response:
        return _file(request, auth, path)

    return router


def _log_in(request: Request, auth: EditorAuth, token: str) -> Response:
    """Keeps a right token in a cookie and drops it from the address bar."""
    if not auth.matches(token):
        return HTMLResponse(_LOCKED, status_code=401, headers=_SECURITY_HEADERS)
    answer = RedirectResponse("/editor/", status_code=303)
    answer.set_cookie(
        COOKIE_NAME,
        token.strip(),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


def _file(request: Request, auth: EditorAuth, path: str) -> Response:
    if not auth.allows(request):
        return HTMLResponse(_LOCKED, status_code=401, headers=_SECURITY_HEADERS)
    root = STATIC.resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    media_type = _TYPES.get(candidate.suffix, "application/octet-stream")
    return FileResponse(candidate, media_type=media_type, headers=_SECURITY_HEADERS)
