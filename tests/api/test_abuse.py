"""A client sending a 100 MB answer neither fills segflow's memory nor holds up other chats:
the body is refused with 413 once over SEGFLOW_MAX_REQUEST_BYTES, without being kept."""

from __future__ import annotations

import select
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.api.chats import WITH_TRIAL_SIGNUP, answer, start
from tests.serve_process import ServeProcess

HUGE = 100 * 1024 * 1024
CHUNK = 64 * 1024
MB = 1024 * 1024


@dataclass
class HugeUpload:
    """A continueChat whose answer is HUGE bytes, streamed in chunks (no Content-Length),
    sent in full whatever the server answers, as a careless or hostile client would."""

    port: int
    session_id: str
    answer: bytes = b""
    answered_after: int | None = None  # bytes sent when the answer arrived
    answered_in: float | None = None  # seconds from the first byte to the answer
    sent: int = 0
    sending: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        head = (
            f"POST /api/v1/sessions/{self.session_id}/continueChat HTTP/1.1\r\n"
            "Host: segflow\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        chunk = f"{CHUNK:x}\r\n".encode() + b"a" * CHUNK + b"\r\n"
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(head + b'5\r\n{"a":\r\n')
            self.sending.set()
            while self.sent < HUGE:
                connection.sendall(chunk)
                self.sent += CHUNK
                self._read(connection, started)
            connection.sendall(b"0\r\n\r\n")
            while b"\r\n\r\n" not in self.answer or not self.answer.endswith(b"}"):
                readable, _, _ = select.select([connection], [], [], 30)
                assert readable, "no answer in 30 s"
                self._read(connection, started)

    def _read(self, connection: socket.socket, started: float) -> None:
        if select.select([connection], [], [], 0)[0]:
            received = connection.recv(4096)
            assert received, "the server closed the connection without answering"
            if not self.answer:
                self.answered_after = self.sent
                self.answered_in = time.monotonic() - started
            self.answer += received


def test_a_100_mb_answer_is_refused_without_holding_it_or_other_chats_up(
    database_url: str, tmp_path: Path
) -> None:
    with ServeProcess(database_url, tmp_path / "home", args=WITH_TRIAL_SIGNUP) as server:
        server_process = psutil.Process(server.pid)
        # A first chat, so that what a turn loads once is loaded before measuring.
        warm_up = start(server)["sessionId"]
        answer(server, warm_up, "Ada")
        memory_before = server_process.memory_info().rss

        upload = HugeUpload(server.port, start(server)["sessionId"])
        sender = threading.Thread(target=upload.run, name="huge-upload")
        sender.start()
        assert upload.sending.wait(10)
        turns: list[float] = []
        peak_memory = memory_before
        while sender.is_alive():
            began = time.monotonic()
            chat = start(server)["sessionId"]
            answer(server, chat, "Grace")
            answer(server, chat, "grace@example.com")
            turns.append((time.monotonic() - began) / 3)
            peak_memory = max(peak_memory, server_process.memory_info().rss)
        sender.join()

        status, _, body = upload.answer.partition(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 413 "), upload.answer
        assert body.endswith(
            b'{"message":"The request body is over 65,536 bytes; the limit is 65,536 '
            b'(SEGFLOW_MAX_REQUEST_BYTES)"}'
        )
        assert upload.answered_after is not None and upload.answered_in is not None
        assert upload.answered_after < 10 * MB, "refused only after most of it was sent"
        assert upload.answered_in < 5.0
        assert turns, "no chat turn ran while the upload was sent"
        assert max(turns) < 1.0, turns
        growth = (peak_memory - memory_before) / MB
        assert growth < 30, f"the server grew by {growth:.0f} MB"
        assert server.api.get("/healthz").json() == {"status": "ok"}
