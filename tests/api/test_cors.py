"""Pages on other origins may use the public chat API, and nothing else of segflow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve_process import ServeProcess

ORIGIN = "https://shop.example.com"


def preflight(server: ServeProcess, path: str, origin: str = ORIGIN) -> dict[str, str]:
    answer = server.api.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    return {"status": str(answer.status_code), **answer.headers}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    home = tmp_path_factory.mktemp("home")
    with ServeProcess(f"sqlite:///{home / 'segflow.db'}", Path(home)) as server:
        yield server


def test_a_page_on_another_origin_may_chat(server: ServeProcess) -> None:
    answer = preflight(server, "/api/v1/flows/lead-capture/startChat")
    assert answer["status"] == "200"
    assert answer["access-control-allow-origin"] == "*"
    assert "POST" in answer["access-control-allow-methods"]
    assert int(answer["access-control-max-age"]) >= 600  # the browser caches it

    started = server.api.post("/api/v1/flows/lead-capture/startChat", headers={"Origin": ORIGIN})
    assert started.status_code == 200
    assert started.headers["access-control-allow-origin"] == "*"


def test_no_page_may_reach_the_editor_api(server: ServeProcess) -> None:
    answer = preflight(server, "/editor/api/flows")
    assert "access-control-allow-origin" not in answer
    listed = server.api.get("/editor/api/flows", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in listed.headers


def test_only_the_websites_set_may_chat(tmp_path: Path) -> None:
    allowed = "https://www.example.com, https://shop.example.com/"
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}",
        tmp_path / "home",
        environment={"SEGFLOW_CORS_ORIGINS": allowed},
    ) as server:
        path = "/api/v1/flows/lead-capture/startChat"
        assert preflight(server, path)["access-control-allow-origin"] == ORIGIN
        refused = preflight(server, path, origin="https://evil.example.net")
        assert refused["status"] == "400"
        assert "access-control-allow-origin" not in refused
