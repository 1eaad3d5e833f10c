"""Segment's regional hosts, and custom Segment-compatible ones (RudderStack, Jitsu)."""

from __future__ import annotations

from urllib.parse import urlsplit

from segflow.errors import DestinationError

US_ENDPOINT = "https://api.segment.io"
EU_ENDPOINT = "https://events.eu1.segmentapis.com"

REGIONS = {"us": US_ENDPOINT, "eu": EU_ENDPOINT}


def resolve_endpoint(endpoint: str | None) -> str:
    """'us' (the default), 'eu', or the base URL of a Segment-compatible collector."""
    choice = (endpoint or "us").strip()
    if choice.lower() in REGIONS:
        return REGIONS[choice.lower()]
    parts = urlsplit(choice)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DestinationError(
            f"Endpoint {choice!r} is neither 'us', 'eu' nor an http(s) URL "
            "such as https://hosted.rudderlabs.com"
        )
    return choice.rstrip("/")


def region_of(endpoint: str) -> str:
    """The label people see: 'us', 'eu' or 'custom'."""
    for region, url in REGIONS.items():
        if endpoint == url:
            return region
    return "custom"
