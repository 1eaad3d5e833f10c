"""Segment's regional hosts, and custom Segment-compatible ones (RudderStack, Jitsu).

An endpoint is the base URL segflow adds `/v1/batch` to. It is checked when an account is
added or changed: an http(s) scheme and a host, no query or fragment (the Write Key travels in
its own header), and a `/v1` or `/v1/batch` copied from a collector's docs taken off with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from segflow.errors import DestinationError

US_ENDPOINT = "https://api.segment.io"
EU_ENDPOINT = "https://events.eu1.segmentapis.com"

REGIONS = {"us": US_ENDPOINT, "eu": EU_ENDPOINT}
# Segment's tracking API hosts, by region.
SEGMENT_HOSTS = {
    "api.segment.io": "us",
    "events.eu1.segmentapis.com": "eu",
}
# Message paths a base URL may end with when copied whole from a collector's docs.
SEGMENT_PATHS = (
    "/v1/batch",
    "/v1/track",
    "/v1/identify",
    "/v1/page",
    "/v1/screen",
    "/v1/group",
    "/v1/alias",
    "/v1",
)


@dataclass(frozen=True, slots=True)
class CheckedEndpoint:
    """The base URL to store, and what was changed or recognised, in words for people."""

    url: str
    notes: tuple[str, ...] = ()


def resolve_endpoint(endpoint: str | None) -> str:
    """'us' (the default), 'eu', or the base URL of a Segment-compatible collector."""
    return check_endpoint(endpoint).url


def check_endpoint(endpoint: str | None) -> CheckedEndpoint:
    """The endpoint checked and made a base URL; raises DestinationError saying what to fix."""
    choice = (endpoint or "us").strip()
    if choice.lower() in REGIONS:
        return CheckedEndpoint(REGIONS[choice.lower()])
    parts = urlsplit(choice)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        hint = "" if "://" in choice else f" (with its scheme: https://{choice}?)"
        raise DestinationError(
            f"Endpoint {choice!r} is neither 'us', 'eu' nor an http(s) URL "
            f"such as https://hosted.rudderlabs.com{hint}"
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise DestinationError(f"Endpoint {choice!r} has a bad port: {error}") from None
    if not host:
        raise DestinationError(f"Endpoint {choice!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise DestinationError(
            f"Endpoint {choice!r} holds a user name or password: give the host only, "
            "and the key as the account's Write Key"
        )
    if parts.query or choice.endswith("?"):
        raise DestinationError(
            f"Endpoint {choice!r} has a query string (?{parts.query}): segflow posts to "
            "the endpoint followed by /v1/batch and sends the Write Key itself, so give "
            "the base URL only"
        )
    if parts.fragment or choice.endswith("#"):
        raise DestinationError(
            f"Endpoint {choice!r} has a fragment (#{parts.fragment}): give the base URL only"
        )
    notes: list[str] = []
    path = parts.path.rstrip("/")
    for suffix in SEGMENT_PATHS:
        if path.lower().endswith(suffix):
            path = path[: -len(suffix)]
            notes.append(
                f"Took {suffix} off the end of the endpoint: segflow adds /v1/batch itself"
            )
            break
    scheme = parts.scheme.lower()
    region = SEGMENT_HOSTS.get(host)
    if region is not None:
        if scheme != "https" or path or port not in (None, 443):
            notes.append(f"Segment's {region.upper()} tracking API is {REGIONS[region]}")
        notes.append(f"This is Segment's {region.upper()} region ({region!r})")
        return CheckedEndpoint(REGIONS[region], tuple(notes))
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host:
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    url = urlunsplit((scheme, netloc, path, "", ""))
    known = _known_collector(host)
    if known:
        notes.append(known)
    return CheckedEndpoint(url, tuple(notes))


def _known_collector(host: str) -> str | None:
    if host.endswith(".dataplane.rudderstack.com") or host == "hosted.rudderlabs.com":
        return "This is a RudderStack data plane: use a source's Write Key"
    if host in ("app.rudderstack.com", "api.rudderstack.com"):
        raise DestinationError(
            f"{host} is RudderStack's control plane, not where events go: give your "
            "data plane URL (shown at the top of RudderStack's Connections page)"
        )
    if host == "use.jitsu.com":
        return "This is a Jitsu ingest host: use a server-to-server key (keyId:secret)"
    return None


def region_of(endpoint: str) -> str:
    """The label people see: 'us', 'eu' or 'custom'."""
    for region, url in REGIONS.items():
        if endpoint == url:
            return region
    return SEGMENT_HOSTS.get(urlsplit(endpoint).hostname or "", "custom")
