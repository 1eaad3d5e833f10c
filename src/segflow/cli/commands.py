"""Every command family of the CLI, imported once so each registers itself on `app`."""

from segflow.cli import deliver, destination, outbox, send

__all__ = ["deliver", "destination", "outbox", "send"]
