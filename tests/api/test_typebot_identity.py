"""A bot imported from Typebot keeps its identity: the publicId and ID its embeds use, and the
variable names their prefilledVariables use. Through the editor's import and the chat API of
a real `segflow serve`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.chats import session
from tests.importers.helpers import SAMPLES, needs_samples
from tests.serve_process import ServeProcess

TOKEN = "editor-token-of-the-tests"
LEAD_CAPTURE = Path(__file__).parents[1] / "importers" / "fixtures" / "lead-capture.v6.1.json"


@pytest.fixture
def editing_server(database_url: str, tmp_path: Path) -> Iterator[ServeProcess]:
    token = {"SEGFLOW_EDITOR_TOKEN": TOKEN}
    with ServeProcess(database_url, tmp_path / "home", environment=token) as process:
        process.api.headers["Authorization"] = f"Bearer {TOKEN}"
        yield process


def import_and_publish(server: ServeProcess, export: Path | dict[str, Any]) -> dict[str, Any]:
    imported = import_file(server, export)
    assert imported.status_code == 201, imported.text
    flow: dict[str, Any] = imported.json()
    published = server.api.post(f"/editor/api/flows/{flow['id']}/publish")
    assert published.status_code == 200, published.text
    return flow


def import_file(server: ServeProcess, export: Path | dict[str, Any]) -> Any:
    if isinstance(export, Path):
        upload = {"text": export.read_text(encoding="utf-8"), "filename": export.name}
    else:
        upload = {"text": json.dumps(export), "filename": "export.json"}
    return server.api.post("/editor/api/flows/import", json=upload)


def start_chat(server: ServeProcess, flow_id: str, **body: Any) -> dict[str, Any]:
    response = server.api.post(f"/api/v1/flows/{flow_id}/startChat", json=body)
    assert response.status_code == 200, response.text
    chat: dict[str, Any] = response.json()
    return chat


@needs_samples
def test_an_imported_typebot_answers_to_its_public_id_and_its_typebot_id(
    editing_server: ServeProcess,
) -> None:
    flow = import_and_publish(editing_server, SAMPLES / "validate-id.v5.json")
    assert flow["id"] == "validar-cpf-cnpj"
    assert flow["draft"]["aliases"] == ["validar-cpf-9um2jp3", "cloaadzlp00dyqi1pj9um2jp3"]

    by_id = start_chat(editing_server, "validar-cpf-cnpj")
    for alias in ("validar-cpf-9um2jp3", "cloaadzlp00dyqi1pj9um2jp3"):
        chat = start_chat(editing_server, alias)
        assert chat["messages"] == by_id["messages"]
        assert session(editing_server, chat["sessionId"])["flowId"] == "validar-cpf-cnpj"
    unknown = editing_server.api.post("/api/v1/flows/validar-cpf-0000000/startChat")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"message": 'Flow "validar-cpf-0000000" does not exist'},
    )


@needs_samples
def test_importing_the_same_typebot_twice_is_refused_naming_the_flow_that_has_its_id(
    editing_server: ServeProcess,
) -> None:
    import_and_publish(editing_server, SAMPLES / "validate-id.v5.json")

    again = import_file(editing_server, SAMPLES / "validate-id.v5.json")

    assert again.status_code == 400
    assert again.json()["message"] == (
        'Flow "Validar CPF/CNPJ" cannot also answer to "validar-cpf-9um2jp3": flow '
        '"validar-cpf-cnpj" already does (were both imported from the same Typebot?). Remove '
        '"validar-cpf-9um2jp3" from the other IDs (aliases) of one of them'
    )
    listed = editing_server.api.get("/editor/api/flows").json()
    assert [flow["id"] for flow in listed if flow["id"].startswith("validar")] == [
        "validar-cpf-cnpj"
    ]
    assert start_chat(editing_server, "validar-cpf-9um2jp3")["messages"]  # the first one's


@needs_samples
def test_a_copy_of_an_imported_typebot_leaves_its_ids_to_the_original(
    editing_server: ServeProcess,
) -> None:
    import_and_publish(editing_server, SAMPLES / "validate-id.v5.json")

    copied = editing_server.api.post("/editor/api/flows/validar-cpf-cnpj/duplicate")

    assert copied.status_code == 201, copied.text
    assert "aliases" not in copied.json()["draft"]
    chat = start_chat(editing_server, "validar-cpf-9um2jp3")
    assert session(editing_server, chat["sessionId"])["flowId"] == "validar-cpf-cnpj"


def test_prefilled_variables_may_use_the_typebot_names_of_renamed_variables(
    editing_server: ServeProcess,
) -> None:
    export = json.loads(LEAD_CAPTURE.read_text(encoding="utf-8"))
    for group in export["groups"]:  # the Track Event this export leaves unnamed, named
        for block in group["blocks"]:
            if block["id"] == "b-track-unnamed":
                block["options"]["eventName"] = "Lead Captured"
    flow = import_and_publish(editing_server, export)
    # Typebot had "First name" and "First_name": the first was renamed, and keeps its name.
    assert {"name": "First_name_2", "aliases": ["First name"]} in flow["draft"]["variables"]

    chat = start_chat(
        editing_server,
        "bot-lead-capture",  # the Typebot's ID (this export has no publicId)
        prefilledVariables={"First name": "Ada", "First_name": "Grace", "Plan": "pro"},
    )

    assert chat["logs"] == []
    variables = session(editing_server, chat["sessionId"])["variables"]
    assert (variables["First_name_2"], variables["First_name"], variables["Plan"]) == (
        "Ada",
        "Grace",
        "pro",
    )
