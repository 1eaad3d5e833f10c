"""The editor as `segflow serve` will run it, for tests: its router mounted on the chat API's
app, served on a free port by a server thread, with a sender delivering the outbox.

    with EditorServer(segflow) as server:
        ...open server.login_url in a browser, or call server.api...
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

import httpx

from segflow.api import create_app
from segflow.delivery import Sender, SenderOptions
from segflow.service import Segflow
from segflow.serving import ServerThread, listen

TOKEN = "editor-test-token"


class EditorServer:
    def __init__(self, segflow: Segflow, *, token: str = TOKEN) -> None:
        self.segflow = segflow
        self.token = token
        app = create_app(segflow, editor_token=token)
        self._server = ServerThread(app, listen("127.0.0.1", 0, service="Editor"), name="editor")
        self.url = self._server.url
        self._sender: Sender = segflow.sender(SenderOptions(poll_interval=0.05))
        self._sending = threading.Thread(target=self._sender.run, name="editor-sender", daemon=True)
        self.api = httpx.Client(
            base_url=f"{self.url}/editor/api",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30.0,
        )

    @property
    def login_url(self) -> str:
        return f"{self.url}/editor/?token={self.token}"

    def start(self) -> Self:
        self._sending.start()
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self._sender.stop()
        self._sending.join(timeout=15)
        self.api.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()
