"""A server killed outright (SIGKILL) between two turns loses neither the chat nor its events."""

from __future__ import annotations

import time
from pathlib import Path

from tests.api.chats import WITH_TRIAL_SIGNUP, answer, session, start
from tests.serve_process import ServeProcess

# A batch in flight when the server dies is sent again once its lease runs out: keep it short.
SHORT_LEASE = ("--lease", "4", "--timeout", "3")


def test_a_chat_goes_on_after_the_server_is_killed_and_every_event_arrives(
    database_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with ServeProcess(database_url, home, args=[*WITH_TRIAL_SIGNUP, *SHORT_LEASE]) as server:
        # The collector holds every request: the first batch is still in flight at the kill,
        # and the events of the next turn wait in the outbox behind it.
        assert server.collector.set_faults(delay=60)["delay"] == 60
        chat = start(server)
        session_id = chat["sessionId"]
        assert answer(server, session_id, "Ada")["input"]["blockId"] == "ask-email"
        time.sleep(0.5)  # the sender polls the outbox every 0.2 s
        server.kill()
        assert server.collector.events_or_none() is None  # the collector died with it

        server.start()  # the same ports and database; the new collector holds nothing
        found = session(server, session_id)
        assert (found["status"], found["input"]["blockId"]) == ("active", "ask-email")
        assert found["variables"]["name"] == "Ada"
        answer(server, session_id, "ada@example.com")
        assert answer(server, session_id, "Free")["status"] == "completed"

        # Resent batches keep their messageIds (Segment dedupes on them): count those.
        events = server.collector.wait_for_events(8, timeout=30)
        by_message_id = {event["message_id"]: event["payload"] for event in events}
        assert sorted(
            (payload["type"], payload.get("event") or payload.get("name"))
            for payload in by_message_id.values()
        ) == sorted(
            [
                ("track", "Flow Started"),
                ("page", "Hello"),
                ("page", "Email"),
                ("identify", None),
                ("page", "Plan"),
                ("page", "Done"),
                ("track", "Trial Started"),
                ("track", "Flow Completed"),
            ]
        )
        assert {payload["anonymousId"] for payload in by_message_id.values()} == {
            chat["anonymousId"]
        }
