"""A write key is a secret: the collector keeps only its last four characters."""

from __future__ import annotations

import gzip

import httpx
import orjson
from sqlalchemy import select

from segflow.store import open_database
from segflow.store.tables import collected_events, collected_requests
from tests.collector.commands import segflow
from tests.collector.segment_messages import batch, message, track
from tests.servers import CollectorProcess

SECRET = "sk-live-9f8e7d6c5b4a-HINT"


def test_the_write_key_never_appears_in_answers_listings_the_database_or_the_cli(
    collector: CollectorProcess, database_url: str
) -> None:
    in_a_message = track("Checked Out", writeKey=SECRET)
    answers = [
        httpx.post(f"{collector.url}/v1/batch", json=batch(track()), auth=(SECRET, "")),
        httpx.post(f"{collector.url}/v1/identify", json=message("identify", writeKey=SECRET)),
        httpx.post(
            f"{collector.url}/v1/batch",
            content=gzip.compress(orjson.dumps({**batch(in_a_message), "writeKey": SECRET})),
            headers={"Content-Encoding": "gzip"},
        ),
        httpx.post(f"{collector.url}/v1/batch", content=b"{", auth=(SECRET, "")),
    ]
    collector.set_faults(status=503, times=1)
    answers.append(httpx.post(f"{collector.url}/v1/track", json=track(), auth=(SECRET, "")))
    events = collector.events()

    assert [a.status_code for a in answers] == [200, 200, 200, 400, 503]
    assert len(events) == 3
    assert {e["write_key_hint"] for e in events} == {"HINT"}
    seen = [a.text for a in answers] + [
        httpx.get(f"{collector.url}{path}").text
        for path in ("/events", f"/events/{events[0]['id']}", "/requests", "/stats", "/faults")
    ]
    seen.append(segflow("collector", "events", "--database-url", database_url).stdout)
    shown = segflow("collector", "show", in_a_message["messageId"], "--database-url", database_url)
    assert shown.returncode == 0
    seen.append(shown.stdout)
    collector.stop()
    seen.append(collector.output())
    database = open_database(database_url)
    with database.engine.connect() as connection:
        for table in (collected_requests, collected_events):
            seen += [repr(row) for row in connection.execute(select(table))]
    database.dispose()

    assert all(SECRET not in text and SECRET[:-4] not in text for text in seen)
