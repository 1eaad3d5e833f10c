"""What `segflow serve` and the collector expose beyond their owner: host names a DNS-rebinding
page could use, files other users could read, an editor reachable from other machines, flow
files built to exhaust the server."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from tests.flow.test_documents import BILLION_LAUGHS
from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess

TOKEN = "a-long-editor-token-of-the-tests-own"
EDITOR = {"SEGFLOW_EDITOR_TOKEN": TOKEN}
REBOUND = {"Host": "rebound.example"}  # a name some web page made resolve to 127.0.0.1


def editor_get(server: ServeProcess, path: str, **headers: str) -> httpx.Response:
    return server.api.get(path, headers={"Authorization": f"Bearer {TOKEN}", **headers})


def test_the_editor_and_the_collector_refuse_other_host_names_the_chat_api_does_not(
    tmp_path: Path,
) -> None:
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}", tmp_path, environment=EDITOR
    ) as server:
        refused = editor_get(server, "/editor/api/flows", **REBOUND)
        assert refused.status_code == 421
        assert refused.json()["message"] == (
            "The Flow Editor answers only to the host names it serves (127.0.0.1, ::1, "
            'localhost), not to "rebound.example": add the name to SEGFLOW_ALLOWED_HOSTS if '
            "this server is meant to be reached by it"
        )
        assert server.api.get("/editor/", headers=REBOUND).status_code == 421
        events = httpx.get(f"{server.collector_url}/events", headers=REBOUND)
        assert events.status_code == 421
        assert events.json()["message"].startswith("The collector answers only to the host")

        for host in ("localhost", "127.0.0.1", "[::1]", "LocalHost."):
            port = server.port
            assert editor_get(server, "/editor/api/flows", Host=f"{host}:{port}").status_code == 200
        assert httpx.get(f"{server.collector_url}/events").status_code == 200

        chat = server.api.post("/api/v1/flows/lead-capture/startChat", headers=REBOUND)
        assert chat.status_code == 200  # websites embed the public chat API under any name
        assert server.api.get("/healthz", headers=REBOUND).status_code == 200


def test_allowed_hosts_adds_names_to_the_editor_and_collector(tmp_path: Path) -> None:
    environment = {**EDITOR, "SEGFLOW_ALLOWED_HOSTS": "segflow.example.com, rebound.example"}
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    with ServeProcess(database_url, tmp_path, environment=environment) as server:
        assert editor_get(server, "/editor/api/flows", **REBOUND).status_code == 200
        named = {"Host": "segflow.example.com"}
        assert httpx.get(f"{server.collector_url}/events", headers=named).status_code == 200
        other = editor_get(server, "/editor/api/flows", Host="other.example")
        assert other.status_code == 421


def test_the_standalone_collector_refuses_other_host_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGFLOW_ALLOWED_HOSTS", "collector.internal")
    with CollectorProcess(f"sqlite:///{tmp_path / 'collected.db'}") as collector:
        read = httpx.get(f"{collector.url}/events", headers=REBOUND)
        assert read.status_code == 421
        sent = httpx.post(f"{collector.url}/v1/track", json={}, headers=REBOUND)
        assert sent.status_code == 421
        named = httpx.get(f"{collector.url}/events", headers={"Host": "collector.internal:80"})
        assert named.status_code == 200


def test_serving_beyond_loopback_without_an_editor_token_warns(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    with ServeProcess(database_url, tmp_path, args=["--host", "0.0.0.0"]) as server:
        assert "Warning: serving on 0.0.0.0, reachable from other machines" in server.output()
        assert "Set SEGFLOW_EDITOR_TOKEN" in server.output()
        token = (tmp_path / "editor-token").read_text()
        # Reached by an address of this machine, the editor answers to that address.
        other_address = f"http://127.0.0.2:{server.port}/editor/api/flows"
        answer = httpx.get(other_address, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200

    with ServeProcess(database_url, tmp_path, args=["--host", "0.0.0.0"], environment=EDITOR) as s:
        assert "Warning" not in s.output()
    with ServeProcess(database_url, tmp_path) as local:
        assert "Warning" not in local.output()


def test_the_database_and_secret_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with ServeProcess(f"sqlite:///{home / 'segflow.db'}", home) as server:
        started = server.api.post("/api/v1/flows/lead-capture/startChat").json()
        answered = server.api.post(
            f"/api/v1/sessions/{started['sessionId']}/continueChat", json={"message": "Ada"}
        )
        assert answered.status_code == 200
        files = ["segflow.db", "segflow.db-wal", "segflow.db-shm", "editor-token", "secret.key"]
        for name in files:
            mode = stat.S_IMODE((home / name).stat().st_mode)
            assert mode == 0o600, f"{name} has mode {mode:o}"


def test_a_billion_laughs_imported_in_the_editor_is_refused_and_serve_goes_on(
    tmp_path: Path,
) -> None:
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}", tmp_path, environment=EDITOR
    ) as server:
        imported = server.api.post(
            "/editor/api/flows/import",
            json={"text": BILLION_LAUGHS, "filename": "laughs.yaml"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )

        assert imported.status_code == 400
        assert imported.json()["message"] == (
            '"laughs.yaml" is neither JSON nor YAML: uses the alias *a, which segflow does not '
            "read: write the value out in full (line 2, column 8)"
        )
        assert server.api.get("/healthz").status_code == 200
        assert server.exit_code is None
