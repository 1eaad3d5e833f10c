"""The `segflow` command line: thin commands over the same functions the API uses."""

from __future__ import annotations

from segflow.cli.app import app, run

__all__ = ["app", "main"]


def main() -> None:
    run()


if __name__ == "__main__":  # pragma: no cover
    main()
