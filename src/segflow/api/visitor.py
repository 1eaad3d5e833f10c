"""What an HTTP request tells about the visitor a chat talks to, for Segment's `context`.

A page that embeds a chat may send its own `context` (page, userAgent, locale...); what it
leaves out is read from the request: User-Agent, Accept-Language (the locale), the page from
Typebot's `x-typebot-iframe-referrer-origin`, else Referer, else Origin, and the client's IP.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from annotated_types import MaxLen
from pydantic import BaseModel
from starlette.requests import Request

from segflow.chat.visitor import Page, Visitor

IFRAME_REFERRER_ORIGIN = "x-typebot-iframe-referrer-origin"  # sent by Typebot's embeds
_LOCATION = {"url", "path", "search"}
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def visitor_from_request(
    request: Request, body_context: Visitor | None = None, *, send_ip: bool = True
) -> Visitor:
    """The visitor of a chat starting with `request`: `body_context`'s values win, each part
    it leaves out comes from the request's headers (the page's url, path and search only when
    it tells none of them). With `send_ip` false, there is no IP."""
    headers = request.headers
    told: dict[str, Any] = {
        "page": _page(request),
        "userAgent": _fit(Visitor, "user_agent", headers.get("user-agent")),
        "locale": _locale(headers.get("accept-language", "")),
        "ip": request.client.host if request.client else None,
    }
    given = body_context.model_dump(exclude_none=True) if body_context is not None else {}
    page, headers_page = given.pop("page", {}), told.pop("page")
    if not page.keys() & _LOCATION:  # else the headers' url, path, search would not match it
        page = headers_page | page
    merged = {**{k: v for k, v in told.items() if v is not None}, **given, "page": page or None}
    if not send_ip:
        merged.pop("ip", None)
    return Visitor.model_validate(merged)


def _page(request: Request) -> dict[str, str]:
    """The page the chat is on, as far as the request tells. A chat in an iframe is told
    its page's origin by Typebot's header; else the Referer is the page (or its origin, as
    browsers send only that to another site), else the Origin."""
    headers = request.headers
    for header in (IFRAME_REFERRER_ORIGIN, "referer", "origin"):
        url = headers.get(header, "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue  # absent, or "null" for a sandboxed page
        page = {"url": _fit(Page, "url", url)}
        if header == "referer":
            page["path"] = _fit(Page, "path", parts.path or "/")
            if parts.query:
                page["search"] = _fit(Page, "search", f"?{parts.query}")
        return {key: value for key, value in page.items() if value}
    return {}


def _locale(accept_language: str) -> str | None:
    """The language the browser prefers most ("fr-CH, fr;q=0.9" → "fr-CH")."""
    best, best_weight = None, 0.0
    for entry in accept_language.split(","):
        tag, _, parameters = entry.strip().partition(";")
        tag = tag.strip()
        if not _LANGUAGE_TAG.fullmatch(tag):
            continue  # "*" or malformed
        weight = 1.0
        if (q := parameters.strip()).startswith("q="):
            try:
                weight = float(q[2:])
            except ValueError:
                continue
        if weight > best_weight:
            best, best_weight = tag, weight
    return _fit(Visitor, "locale", best)


def _fit(model: type[BaseModel], field: str, value: str | None) -> str | None:
    """`value` cut to what the model's field holds: headers are not bounded as bodies are."""
    if value is None:
        return None
    limits = [m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen)]
    return value[: min(limits)] if limits else value
