"""A real web server for HTTP request blocks to call: a thread on a free local port.

with WebServer() as server:
    server.url("/echo")            # answers what it got: method, path, query, headers, body
    server.url("/json")            # answers server.json (an object) with status server.status
    server.url("/redirect?to=URL") # 302 to URL
    server.url("/slow?seconds=2")  # answers after a while
    server.url("/big?bytes=N")     # answers N bytes
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


class WebServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.json: Any = {"ok": True}
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        self._http = ThreadingHTTPServer((host, 0), Handler)
        self._http.daemon_threads = True
        self.port = int(self._http.server_address[1])
        self.host = host
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        seen = {
            "method": handler.command,
            "path": parts.path,
            "query": parse_qs(parts.query),
            "headers": {key.lower(): value for key, value in handler.headers.items()},
            "body": body,
        }
        self.requests.append(seen)
        if parts.path == "/echo":
            self._send(handler, 200, seen)
        elif parts.path.startswith("/json"):
            self._send(handler, self.status, self.json)
        elif parts.path == "/text":
            self._send(handler, 200, "plain words", content_type="text/plain")
        elif parts.path == "/redirect":
            handler.send_response(302)
            handler.send_header("Location", query["to"])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif parts.path == "/slow":
            time.sleep(float(query.get("seconds", "2")))
            self._send(handler, 200, {"late": True})
        elif parts.path == "/big":
            self._send(handler, 200, "x" * int(query["bytes"]), content_type="text/plain")
        else:
            self._send(handler, 404, {"message": "no such page"})

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        data: Any,
        *,
        content_type: str = "application/json",
    ) -> None:
        payload = (data if isinstance(data, str) else json.dumps(data)).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.shutdown()
        self._http.server_close()
