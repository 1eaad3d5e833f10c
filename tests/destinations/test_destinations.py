"""Segment accounts: encrypted Write Keys, regions, and which account is the default."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from segflow.accounts import account_states, remove_account, rename_account, update_account
from segflow.chat import Flows
from segflow.destinations import EU_ENDPOINT, US_ENDPOINT
from segflow.destinations.registry import LOCAL_WRITE_KEY, RESOLVED_FOR, RotatedWriteKeys
from segflow.destinations.secrets import (
    UndecryptableWriteKeyError,
    new_key,
    read_keys,
    write_key_file,
)
from segflow.errors import DestinationError, SettingsError
from segflow.segment import TrackEvent
from segflow.service import Segflow
from segflow.settings import Settings
from segflow.store.tables import destinations

WRITE_KEY = "wk_live_9f8e7d6c5b4a3210"


@pytest.fixture
def segflow(home: Path, database_url: str) -> Iterator[Segflow]:
    opened = Segflow.open(Settings(database_url=database_url))
    yield opened
    opened.close()


def test_write_key_is_encrypted_at_rest_and_only_its_hint_is_shown(segflow: Segflow) -> None:
    added = segflow.destinations.add("production", WRITE_KEY, "us")

    assert added.masked_write_key == "…3210"
    assert WRITE_KEY not in repr(added)
    with segflow.database.engine.connect() as connection:
        stored = connection.execute(select(destinations)).one()
    assert WRITE_KEY.encode() not in stored.write_key_encrypted
    assert WRITE_KEY not in str(stored)
    assert segflow.destinations.write_key(added.id).reveal() == WRITE_KEY
    assert "3210" in repr(segflow.destinations.write_key(added.id))
    assert WRITE_KEY not in repr(segflow.destinations.write_key(added.id))


def test_generated_secret_key_file_is_private(segflow: Segflow, home: Path) -> None:
    segflow.destinations.add("production", WRITE_KEY)
    key_file = home / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_changed_secret_key_names_the_accounts_to_re_enter_and_spares_segflows_own(
    home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Segflow.open(Settings(database_url=database_url))
    added = first.destinations.add("production", WRITE_KEY)
    local = first.destinations.resolve()
    first.close()
    monkeypatch.setenv("SEGFLOW_SECRET_KEY", "Jx3T3n0ZbG0l8cXW3i3e3lC4dJ2m8sYy0v9eH2c1bQ8=")
    second = Segflow.open(Settings(database_url=database_url))
    with pytest.raises(UndecryptableWriteKeyError) as raised:
        second.destinations.write_key(added.id)
    assert str(raised.value) == (
        "Account 'production': Write Key cannot be decrypted with SEGFLOW_SECRET_KEY: re-enter "
        "it with `segflow destination update production --write-key -` (or restore the secret "
        "key it was saved with)"
    )
    assert second.destinations.undecryptable() == ["production"]
    # The built-in collector's account takes its key from segflow's settings again.
    assert second.destinations.write_key(local.id).reveal() == LOCAL_WRITE_KEY
    assert second.destinations.resolve().id == local.id
    second.destinations.update("production", write_key=WRITE_KEY)
    assert second.destinations.undecryptable() == []
    second.close()


def test_a_rotation_reencrypts_every_write_key_and_a_running_segflow_follows_the_key_file(
    segflow: Segflow, home: Path
) -> None:
    added = segflow.destinations.add("production", WRITE_KEY)
    segflow.destinations.resolve()  # segflow's own account, saved encrypted too
    settings = segflow.settings
    old_keys = read_keys(settings)
    new = new_key()
    write_key_file(home / "secret.key", old_keys.with_newest(new).keys)

    rotating = Segflow.open(settings)
    rotated = rotating.destinations.rotate_write_keys()
    rotating.close()

    assert rotated == RotatedWriteKeys(reencrypted=1, undecryptable=[])
    write_key_file(home / "secret.key", [new])  # the old key dropped
    # `segflow` was opened with the old key only: it reads the file again to decrypt.
    assert segflow.destinations.write_key(added.id).reveal() == WRITE_KEY
    restarted = Segflow.open(settings)
    assert restarted.destinations.write_key(added.id).reveal() == WRITE_KEY
    restarted.close()


def test_several_secret_keys_each_checked_by_position(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = new_key().decode()
    monkeypatch.setenv("SEGFLOW_SECRET_KEY", f"{good}, not-a-key")
    with pytest.raises(SettingsError) as raised:
        Segflow.open(Settings(database_url=f"sqlite:///{home.parent / 'keys.db'}"))
    assert str(raised.value).startswith(
        "Key 2 of 2 in SEGFLOW_SECRET_KEY is not a valid Fernet key (32 url-safe base64-encoded "
        "bytes): create one with:"
    )


def test_regions_and_custom_endpoints(segflow: Segflow) -> None:
    assert segflow.destinations.add("us", WRITE_KEY).endpoint == US_ENDPOINT
    eu = segflow.destinations.add("eu", WRITE_KEY, "EU")
    assert (eu.endpoint, eu.region) == (EU_ENDPOINT, "eu")
    rudder = segflow.destinations.add("rudder", WRITE_KEY, "https://hosted.rudderlabs.com/")
    assert (rudder.endpoint, rudder.region) == ("https://hosted.rudderlabs.com", "custom")
    with pytest.raises(DestinationError, match="neither 'us', 'eu' nor an http"):
        segflow.destinations.add("typo", WRITE_KEY, "api.segment.io")


def test_missing_write_key_and_duplicate_names_are_refused(segflow: Segflow) -> None:
    with pytest.raises(DestinationError, match="Sources, select the source, API Keys"):
        segflow.destinations.add("production", "  ")
    segflow.destinations.add("production", WRITE_KEY)
    with pytest.raises(DestinationError, match="already exists"):
        segflow.destinations.add("production", WRITE_KEY)


def test_default_is_the_marked_one_then_the_environment_then_the_local_collector(
    home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    segflow = Segflow.open(Settings(database_url=database_url))
    local = segflow.destinations.resolve()
    assert local.name == "local-collector"
    assert local.endpoint == segflow.settings.collector_url

    monkeypatch.setenv("SEGMENT_WRITE_KEY", WRITE_KEY)
    monkeypatch.setenv("SEGMENT_ENDPOINT", "eu")
    from_environment = Segflow.open(Settings(database_url=database_url))
    implicit = from_environment.destinations.resolve()
    assert (implicit.name, implicit.endpoint) == ("environment", EU_ENDPOINT)
    assert from_environment.destinations.write_key(implicit.id).reveal() == WRITE_KEY

    from_environment.destinations.add("production", "another-key-abcd", default=True)
    assert from_environment.destinations.resolve().name == "production"
    assert from_environment.destinations.resolve("environment").name == "environment"
    segflow.close()
    from_environment.close()


def test_a_default_chosen_in_another_process_is_used_within_seconds(
    home: Path, database_url: str
) -> None:
    """`segflow destination add --default` while `segflow serve` runs: no restart needed."""
    serving = Segflow.open(Settings(database_url=database_url))
    assert serving.destinations.resolve().name == "local-collector"
    terminal = Segflow.open(Settings(database_url=database_url))
    terminal.destinations.add("production", WRITE_KEY, default=True)
    time.sleep(RESOLVED_FOR)
    assert serving.destinations.resolve().name == "production"
    serving.close()
    terminal.close()


def test_removing_an_account_with_queued_messages_is_refused(segflow: Segflow) -> None:
    segflow.destinations.add("production", WRITE_KEY)
    segflow.send(TrackEvent(event_name="Signed Up", user_id="u1"), destination="production")

    with pytest.raises(DestinationError, match="still has 1 undelivered message"):
        segflow.destinations.remove("production")
    assert [d.name for d in segflow.destinations.list()] == ["production"]

    segflow.outbox.purge(["queued"])
    segflow.destinations.remove("production")
    with pytest.raises(DestinationError, match="No destination named 'production'"):
        segflow.destinations.get("production")


def test_a_new_write_key_or_endpoint_ends_the_backoff(segflow: Segflow) -> None:
    added = segflow.destinations.add("production", WRITE_KEY)
    segflow.send(TrackEvent(event_name="Signed Up", user_id="u1"), destination="production")
    [claimed] = segflow.outbox.claim(added.id, "sender", lease=60)
    segflow.outbox.failed([claimed.id], added.id, "production: HTTP 401", time.time() + 600)
    assert segflow.outbox.destinations_due(time.time()) == []

    changed = update_account(segflow, "production", write_key="wk_live_new_key_0042")

    assert changed.masked_write_key == "…0042"
    assert segflow.destinations.write_key(added.id).reveal() == "wk_live_new_key_0042"
    assert segflow.outbox.destinations_due(time.time()) == [added.id]
    [state] = account_states(segflow)
    assert (state.queued, state.retrying, state.retry_at, state.last_error) == (1, 1, None, None)
    assert state.health == "healthy"
    moved = update_account(segflow, "production", endpoint="eu")
    assert moved.endpoint == EU_ENDPOINT


def test_a_rename_follows_drafts_and_is_refused_while_a_published_flow_names_it(
    segflow: Segflow,
) -> None:
    segflow.destinations.add("production", WRITE_KEY)
    flows = Flows(segflow)
    block = {"id": "t", "type": "segment", "action": "Track Event", "eventName": "Lead"}
    draft = {
        "name": "Lead",
        "segment": {"destination": "production"},
        "groups": [{"id": "g", "title": "G", "blocks": [block | {"destination": "production"}]}],
    }
    flows.save(draft, "lead")

    renamed = rename_account(segflow, "production", "live")

    assert (renamed.destination.name, renamed.drafts) == ("live", ["Lead"])
    saved = flows.get("lead").draft
    assert saved["segment"]["destination"] == "live"
    assert saved["groups"][0]["blocks"][0]["destination"] == "live"
    flows.publish("lead")
    with pytest.raises(DestinationError, match=r'published flows name it \("Lead"\)'):
        rename_account(segflow, "live", "production")
    with pytest.raises(DestinationError, match=r'published flows name it \("Lead"\)'):
        remove_account(segflow, "live", drop=True)


def test_removing_moves_the_undelivered_messages_to_another_account(segflow: Segflow) -> None:
    old = segflow.destinations.add("old", WRITE_KEY)
    new = segflow.destinations.add("new", WRITE_KEY)
    for event in ("One", "Two"):
        segflow.send(TrackEvent(event_name=event, user_id="u1"), destination="old")

    states = {state.destination.name: state for state in account_states(segflow)}
    assert (states["old"].queued, states["old"].health, states["new"].queued) == (2, "healthy", 0)

    removed = remove_account(segflow, "old", move_to="new")

    assert (removed.moved, removed.moved_to, removed.dropped) == (2, "new", 0)
    assert [d.name for d in segflow.destinations.list()] == ["new"]
    claimed = segflow.outbox.claim(new.id, "sender", lease=60)
    assert len(claimed) == 2
    assert segflow.outbox.claim(old.id, "sender", lease=60) == []
    with pytest.raises(DestinationError, match="not both"):
        remove_account(segflow, "new", move_to="new", drop=True)


def test_endpoints_are_checked_when_an_account_is_added(segflow: Segflow) -> None:
    copied = segflow.destinations.add("jitsu", WRITE_KEY, "https://jitsu.example.com/v1/batch")
    assert copied.endpoint == "https://jitsu.example.com"
    rudder = segflow.destinations.add(
        "rudder", WRITE_KEY, "https://acme.dataplane.rudderstack.com/v1/"
    )
    assert rudder.endpoint == "https://acme.dataplane.rudderstack.com"
    classic = "https://classic.example.com/api/v1/segment/compat"
    assert segflow.destinations.add("classic", WRITE_KEY, classic).endpoint == classic
    eu = segflow.destinations.add("eu-copied", WRITE_KEY, "https://events.eu1.segmentapis.com/v1")
    assert (eu.endpoint, eu.region) == (EU_ENDPOINT, "eu")
    for bad, problem in [
        ("https://collector.example.com/x?token=abc", "has a query string"),
        ("https://collector.example.com/#top", "has a fragment"),
        ("https://user:secret@collector.example.com", "user name or password"),
        ("https:///v1/batch", "neither 'us', 'eu' nor an http"),
        ("https://collector.example.com:99999", "bad port"),
        ("https://app.rudderstack.com", "give your data plane URL"),
    ]:
        with pytest.raises(DestinationError, match=problem):
            segflow.destinations.add("bad", WRITE_KEY, bad)
    assert "bad" not in [destination.name for destination in segflow.destinations.list()]
