"""A website on another origin than segflow, as a customer's would be: static pages served
from a folder by a small HTTP server on a free port, at http://localhost:PORT (segflow runs
at http://127.0.0.1:…)."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests.conftest import free_port


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Website:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.url = f"http://localhost:{port}"
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def page(self, name: str, body: str, *, title: str = "Acme shop", head: str = "") -> str:
        """Writes a page with `body` (and `head`'s extra tags) and answers its URL."""
        (self.folder / name).write_text(
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}</title>\n<link rel="icon" href="data:,">\n{head}</head>\n<body>\n'
            f"{body}\n</body>\n</html>\n",
            encoding="utf-8",
        )
        return f"{self.url}/{name}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
