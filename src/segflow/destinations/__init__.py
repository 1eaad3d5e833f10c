"""Segment accounts: where messages go, and the Write Key each one holds."""

from segflow.destinations.destination import Destination, WriteKey
from segflow.destinations.endpoints import (
    EU_ENDPOINT,
    US_ENDPOINT,
    CheckedEndpoint,
    check_endpoint,
    resolve_endpoint,
)
from segflow.destinations.registry import Destinations
from segflow.destinations.secrets import WriteKeyCipher, load_cipher

__all__ = [
    "EU_ENDPOINT",
    "US_ENDPOINT",
    "CheckedEndpoint",
    "Destination",
    "Destinations",
    "WriteKey",
    "WriteKeyCipher",
    "check_endpoint",
    "load_cipher",
    "resolve_endpoint",
]
