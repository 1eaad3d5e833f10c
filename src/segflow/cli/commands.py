"""Every command family of the CLI, imported once so each registers itself on `app`."""

from segflow.cli import (
    chat,
    collector,
    deliver,
    destination,
    flow,
    importer,
    outbox,
    prune,
    secret,
    send,
    serve,
)

__all__ = [
    "chat",
    "collector",
    "deliver",
    "destination",
    "flow",
    "importer",
    "outbox",
    "prune",
    "secret",
    "send",
    "serve",
]
