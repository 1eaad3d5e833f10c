"""Segment accounts as people fix them: their delivery state, a key or endpoint changed, a
rename that flows follow, a removal that says where the undelivered messages go, and a check
of the connection that sends no event.

The CLI and the editor API are thin shells over these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from segflow.chat.account_names import AccountUsers, flows_naming, rename_in_drafts
from segflow.delivery.batching import batch_body
from segflow.delivery.http import ACCOUNT_STATUSES, SegmentHTTP
from segflow.destinations import Destination
from segflow.destinations.endpoints import REGIONS
from segflow.destinations.registry import LABELS, UNDELIVERED, label_for
from segflow.errors import DestinationError
from segflow.service import Segflow

CHECK_TIMEOUT = 10.0
CHECK_SENDS = (
    'an empty batch ({{"batch": []}}) to {url} with the Write Key: no event, nothing that '
    "reaches your workspace's data"
)


@dataclass(frozen=True)
class AccountState:
    """An account and how its delivery goes."""

    destination: Destination
    label: str  # what people see: the name, or what segflow's own account is
    built_in: bool
    queued: int
    retrying: int
    dead: int
    retry_at: float | None
    last_error: str | None
    write_key_undecryptable: bool = False  # saved with a secret key that is gone

    @property
    def health(self) -> str:
        """'healthy'; 'retrying' while the last attempt failed; 'undecryptable' while its
        Write Key cannot be decrypted, until it is typed again."""
        if self.write_key_undecryptable:
            return "undecryptable"
        return "retrying" if self.last_error else "healthy"


@dataclass(frozen=True)
class Renamed:
    destination: Destination
    drafts: list[str]  # the flows whose drafts now name the new name


@dataclass(frozen=True)
class Removed:
    name: str
    moved: int
    dropped: int
    moved_to: str | None
    drafts: list[str]  # flows whose drafts still name the removed account


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    status: int | None
    sent: str
    outcome: str


def label_of(destination: Destination) -> str:
    return label_for(destination.name)


def account_states(segflow: Segflow) -> list[AccountState]:
    counts = segflow.outbox.undelivered()
    undecryptable = set(segflow.destinations.undecryptable())
    states = []
    for destination in segflow.destinations.list():
        counted = counts.get(destination.id)
        states.append(
            AccountState(
                destination=destination,
                label=label_of(destination),
                built_in=destination.name in LABELS,
                queued=counted.queued if counted else 0,
                retrying=counted.retrying if counted else 0,
                dead=counted.dead if counted else 0,
                retry_at=counted.retry_at if counted else None,
                last_error=counted.last_error if counted else None,
                write_key_undecryptable=destination.name in undecryptable,
            )
        )
    return states


def update_account(
    segflow: Segflow, name: str, *, endpoint: str | None = None, write_key: str | None = None
) -> Destination:
    """A new endpoint or Write Key; the account's waiting messages go out at once with it."""
    return segflow.destinations.update(name, endpoint=endpoint, write_key=write_key)


def rename_account(segflow: Segflow, name: str, new_name: str) -> Renamed:
    """Renames the account and the name in every flow draft that names it.

    Refused while a published flow names it: its chats would look for the old name.
    """
    segflow.destinations.get(name)
    _refuse_while_published(segflow, name, "renamed")
    with segflow.database.engine.begin() as connection:
        renamed = segflow.destinations.rename(name, new_name, connection=connection)
        drafts = rename_in_drafts(connection, name, renamed.name)
    return Renamed(renamed, drafts)


def remove_account(
    segflow: Segflow, name: str, *, move_to: str | None = None, drop: bool = False
) -> Removed:
    """Removes the account; its undelivered messages (queued, retrying, dead-lettered) go to
    `move_to`, or are dropped with `drop`. With neither, refused while there are any.

    Refused while a published flow names it: its chats would have nowhere to send.
    """
    chosen = segflow.destinations.get(name)
    if move_to is not None and drop:
        raise DestinationError("Either move the undelivered messages or drop them, not both")
    target = segflow.destinations.get(move_to) if move_to is not None else None
    if target is not None and target.id == chosen.id:
        raise DestinationError(f"Move the messages of {name!r} to another account than itself")
    _refuse_while_published(segflow, name, "removed")
    moved = dropped = 0
    with segflow.database.engine.begin() as connection:
        if target is not None:
            moved = segflow.outbox.move(UNDELIVERED, chosen.id, target.id, connection=connection)
        elif drop:
            dropped = segflow.outbox.purge(UNDELIVERED, chosen.id, connection=connection)
        segflow.destinations.remove(name, connection=connection)
    drafts = flows_naming(segflow.database, name).drafts
    return Removed(name, moved, dropped, target.name if target else None, drafts)


def check_connection(segflow: Segflow, name: str) -> ConnectionCheck:
    """Sends an empty batch with the account's Write Key and says what the answer means."""
    destination = segflow.destinations.get(name)
    write_key = segflow.destinations.write_key(destination.id).reveal()
    http = SegmentHTTP(destination.endpoint, timeout=CHECK_TIMEOUT)
    try:
        answer = http.post_batch(batch_body([], write_key), write_key)
    finally:
        http.close()
    url = destination.endpoint.rstrip("/") + "/v1/batch"
    sent = CHECK_SENDS.format(url=url)
    if answer.accepted:
        if destination.endpoint in REGIONS.values():
            outcome = (
                f"Segment answered HTTP {answer.status}: the endpoint is reachable. Segment "
                "answers 200 even to a wrong Write Key, so check that test events arrive in "
                "the source's Debugger in your Segment workspace."
            )
        else:
            outcome = f"The collector accepted the Write Key (HTTP {answer.status})."
        return ConnectionCheck(True, answer.status, sent, outcome)
    if answer.status is None:
        outcome = f"Could not reach {url}: {answer.text}"
    elif answer.status in ACCOUNT_STATUSES - {404}:
        outcome = f"The Write Key was refused: {answer.describe()}"
    elif answer.status == 404:
        outcome = f"No Segment endpoint at {url}: {answer.describe()}; check the endpoint"
    else:
        outcome = f"The endpoint answered {answer.describe()}"
    return ConnectionCheck(False, answer.status, sent, outcome)


def _refuse_while_published(segflow: Segflow, name: str, done: str) -> None:
    users: AccountUsers = flows_naming(segflow.database, name)
    if users.published:
        flows = ", ".join(f'"{flow}"' for flow in users.published)
        raise DestinationError(
            f"Account {name!r} cannot be {done}: published flows name it ({flows}). Add the "
            "account under another name, choose it in those flows and publish them, then "
            f"remove {name!r} moving its messages to it"
        )
