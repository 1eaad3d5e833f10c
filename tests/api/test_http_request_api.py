"""A chat whose flow calls a web service, through `segflow serve`: the address is local, so
only SEGFLOW_HTTP_ALLOWED_HOSTS lets the request through, and the bot's next message shows
what came back; the cloud's metadata address stays refused and takes the failure exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.serve_process import ServeProcess
from tests.web_server import WebServer

FLOW = """\
name: Weather lookup
variables: [{name: city}, {name: sky}, {name: degrees}]
groups:
  - id: ask
    title: Ask
    blocks:
      - {id: ask-city, type: textInput, variable: city, next: look-up}
  - id: look-up
    title: Look up
    blocks:
      - id: weather
        type: httpRequest
        url: "{base}/json/weather"
        queryParams: [{key: city, value: "{{city}}"}]
        responseMapping:
          - {path: data.sky, variable: sky}
          - {path: "data.hours[1].degrees", variable: degrees}
        failure: failed
      - {id: tell, type: text, text: "{{city}}: {{sky}}, {{degrees}} degrees"}
      - id: metadata
        type: httpRequest
        url: http://169.254.169.254/latest/meta-data/
        failure: failed
  - id: failed
    title: Failed
    blocks:
      - {id: sorry, type: text, text: "The weather service cannot be reached"}
"""


def post(server: ServeProcess, path: str, body: Any = None) -> dict[str, Any]:
    response = server.api.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_chat_shows_what_an_allowed_local_service_answered(tmp_path: Path) -> None:
    with WebServer() as weather:
        weather.json = {"sky": "cloudy", "hours": [{"degrees": 11}, {"degrees": 12.5}]}
        flow = tmp_path / "weather-lookup.yaml"
        flow.write_text(FLOW.replace("{base}", weather.url("")))
        database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
        environment = {"SEGFLOW_HTTP_ALLOWED_HOSTS": "127.0.0.1"}
        with ServeProcess(
            database_url, tmp_path / "home", args=("--flow", str(flow)), environment=environment
        ) as server:
            started = post(server, "/api/v1/flows/weather-lookup/startChat")
            turn = post(
                server,
                f"/api/v1/sessions/{started['sessionId']}/continueChat",
                {"message": "Lyon"},
            )

        texts = [message["content"]["text"] for message in turn["messages"]]
        assert texts == ["Lyon: cloudy, 12.5 degrees", "The weather service cannot be reached"]
        [request] = weather.requests
        assert request["query"] == {"city": ["Lyon"]}
        statuses = [(log["status"], log["block"]) for log in turn["logs"]]
        assert statuses == [("info", "weather"), ("info", "metadata")]
        assert "refused: 169.254.169.254" in turn["logs"][1]["description"]
