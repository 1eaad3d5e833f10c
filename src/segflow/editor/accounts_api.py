"""Routes for block types (with their options' JSON Schemas), Segment accounts and test events.

A Write Key goes in when an account is added or its key replaced, and never comes back out:
answers show its last four characters only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import Field

from segflow.accounts import (
    AccountState,
    account_states,
    check_connection,
    label_of,
    remove_account,
    rename_account,
    update_account,
)
from segflow.api.fields import Identifier, Text, Url
from segflow.destinations import Destination, resolve_endpoint
from segflow.destinations.registry import LABELS
from segflow.editor.answers import EditorRoute
from segflow.editor.context import EditorContext
from segflow.editor.deliveries import chat_of_test_event, deliveries
from segflow.editor.schemas import EditorModel
from segflow.editor.sending import send_test_event
from segflow.errors import DestinationError


class NewAccount(EditorModel):
    name: Identifier
    write_key: Annotated[Text, Field(max_length=500)]
    region: Literal["us", "eu", "custom"] = "us"
    endpoint: Url = Field("", description="The collector's URL, for the custom region.")
    default: bool = False


class AccountChange(EditorModel):
    """What to change in an account; what is left out stays as it is."""

    name: Identifier | None = Field(None, description="A new name for the account.")
    write_key: Annotated[Text, Field(max_length=500)] | None = None
    region: Literal["us", "eu", "custom"] | None = None
    endpoint: Url = Field("", description="The collector's URL, for the custom region.")
    default: Literal[True] | None = Field(None, description="Make it segflow's default account.")


class TestEvent(EditorModel):
    options: dict[str, Any] = Field(description="The Segment block's options, as in the flow.")
    variables: dict[str, Any] = Field(default_factory=dict)
    flow_destination: Identifier | None = Field(
        None, description="The flow's Segment account, for a block that names none."
    )


def account_json(destination: Destination) -> dict[str, Any]:
    return {
        "name": destination.name,
        "label": label_of(destination),
        "builtIn": destination.name in LABELS,
        "region": destination.region,
        "endpoint": destination.endpoint,
        "writeKeyHint": destination.masked_write_key,
        "isDefault": destination.is_default,
    }


def state_json(state: AccountState) -> dict[str, Any]:
    return account_json(state.destination) | {
        "health": state.health,
        "queued": state.queued,
        "retrying": state.retrying,
        "dead": state.dead,
        "lastError": state.last_error,
        "retryAt": state.retry_at,
    }


def endpoint_of(region: str, endpoint: str) -> str:
    if region == "custom" and not endpoint.strip():
        raise DestinationError("A custom region needs the endpoint's URL")
    return endpoint if region == "custom" else region


def accounts_router(editor: EditorContext) -> APIRouter:
    router = APIRouter(route_class=EditorRoute)
    segflow = editor.segflow

    @router.get("/block-types")
    def block_types() -> list[dict[str, Any]]:
        return [
            {
                "name": kind.name,
                "title": kind.title,
                "category": kind.category,
                "description": kind.description,
                "isInput": kind.is_input,
                "schema": kind.options_schema(),
            }
            for kind in editor.registry
        ]

    @router.get("/destinations")
    def list_accounts() -> list[dict[str, Any]]:
        """Every account with its delivery state: health, messages waiting, last error."""
        return [state_json(state) for state in account_states(segflow)]

    @router.post("/destinations", status_code=status.HTTP_201_CREATED)
    def add_account(account: NewAccount) -> dict[str, Any]:
        endpoint = endpoint_of(account.region, account.endpoint)
        added = segflow.destinations.add(
            account.name, account.write_key, endpoint, default=account.default
        )
        return account_json(added)

    @router.patch("/destinations/{name}")
    def change_account(name: str, change: AccountChange) -> dict[str, Any]:
        """Replaces the endpoint and/or Write Key (waiting messages go out at once with them),
        renames (drafts naming the account follow; "renamedIn" lists them), or makes it the
        default."""
        if not change.model_fields_set - {"endpoint"}:
            raise DestinationError(
                f"Nothing to change in destination {name!r}: give a name, a region, "
                "a Write Key or default"
            )
        # Everything is checked before anything changes: a refused rename changes nothing.
        endpoint = endpoint_of(change.region, change.endpoint) if change.region else None
        if endpoint is not None:
            resolve_endpoint(endpoint)
        if change.write_key is not None and not change.write_key.strip():
            raise DestinationError("The new Write Key is empty: type it, or leave it out")
        renamed_in: list[str] = []
        if change.name is not None and change.name != name:
            renamed = rename_account(segflow, name, change.name)
            name, renamed_in = renamed.destination.name, renamed.drafts
        if endpoint is not None or change.write_key is not None:
            update_account(segflow, name, endpoint=endpoint, write_key=change.write_key)
        if change.default:
            segflow.destinations.set_default(name)
        return account_json(segflow.destinations.get(name)) | {"renamedIn": renamed_in}

    @router.delete("/destinations/{name}")
    def remove(
        name: str,
        move_to: Annotated[Identifier | None, Query(alias="moveTo")] = None,
        drop_queued: Annotated[bool, Query(alias="dropQueued")] = False,
    ) -> dict[str, Any]:
        """Removes the account; its undelivered messages go to `moveTo`, or are dropped with
        `dropQueued=true`; with neither, refused while there are any."""
        removed = remove_account(segflow, name, move_to=move_to, drop=drop_queued)
        return {
            "name": removed.name,
            "moved": removed.moved,
            "movedTo": removed.moved_to,
            "dropped": removed.dropped,
            "draftsNamingIt": removed.drafts,
        }

    @router.post("/destinations/{name}/check")
    def check(name: str) -> dict[str, Any]:
        """Sends an empty batch with the account's Write Key; "sent" says so in words."""
        checked = check_connection(segflow, name)
        return {
            "ok": checked.ok,
            "status": checked.status,
            "sent": checked.sent,
            "outcome": checked.outcome,
        }

    @router.post("/test-events")
    def test_event(event: TestEvent) -> dict[str, Any]:
        """Queues the block's message; "refused" (with the field to fix) when it cannot be
        built. Its delivery is then at /test-events/{messageId}."""
        outcome = send_test_event(
            segflow,
            editor.registry,
            event.options,
            event.variables,
            flow_destination=event.flow_destination,
        )
        return outcome.as_json()

    @router.get("/test-events/{message_id}")
    def test_event_delivery(message_id: Identifier) -> dict[str, Any]:
        """Where the test event's message is in its delivery."""
        chat = chat_of_test_event(message_id)
        found = deliveries(segflow.database, chat, [message_id])[message_id]
        return {
            "messageId": message_id,
            "state": found.state,
            "attempts": found.attempts,
            "error": found.error,
        }

    return router
