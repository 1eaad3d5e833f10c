"""Routes for block types (with their options' JSON Schemas), Segment accounts and test events.

A Write Key goes in once, when an account is added, and never comes back out: answers show
its last four characters only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, status
from pydantic import Field

from segflow.api.fields import Identifier, Text, Url
from segflow.destinations import Destination
from segflow.editor.answers import EditorRoute
from segflow.editor.context import EditorContext
from segflow.editor.deliveries import deliveries
from segflow.editor.schemas import EditorModel
from segflow.editor.sending import send_test_event
from segflow.errors import DestinationError


class NewAccount(EditorModel):
    name: Identifier
    write_key: Annotated[Text, Field(max_length=500)]
    region: Literal["us", "eu", "custom"] = "us"
    endpoint: Url = Field("", description="The collector's URL, for the custom region.")
    default: bool = False


class TestEvent(EditorModel):
    options: dict[str, Any] = Field(description="The Segment block's options, as in the flow.")
    variables: dict[str, Any] = Field(default_factory=dict)
    flow_destination: Identifier | None = Field(
        None, description="The flow's Segment account, for a block that names none."
    )


def account_json(destination: Destination) -> dict[str, Any]:
    return {
        "name": destination.name,
        "region": destination.region,
        "endpoint": destination.endpoint,
        "writeKeyHint": destination.masked_write_key,
        "isDefault": destination.is_default,
    }


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
        return [account_json(destination) for destination in segflow.destinations.list()]

    @router.post("/destinations", status_code=status.HTTP_201_CREATED)
    def add_account(account: NewAccount) -> dict[str, Any]:
        if account.region == "custom" and not account.endpoint.strip():
            raise DestinationError("A custom region needs the endpoint's URL")
        endpoint = account.endpoint if account.region == "custom" else account.region
        added = segflow.destinations.add(
            account.name, account.write_key, endpoint, default=account.default
        )
        return account_json(added)

    @router.post("/test-events")
    def test_event(event: TestEvent) -> dict[str, Any]:
        """Queues the block's message; "refused" (with the field to fix) when it cannot be
        built. Its delivery is then at /messages/{messageId}."""
        outcome = send_test_event(
            segflow,
            editor.registry,
            event.options,
            event.variables,
            flow_destination=event.flow_destination,
        )
        return outcome.as_json()

    @router.get("/messages/{message_id}")
    def delivery(message_id: Identifier) -> dict[str, Any]:
        found = deliveries(segflow.database, [message_id])[message_id]
        return {
            "messageId": message_id,
            "state": found.state,
            "attempts": found.attempts,
            "error": found.error,
        }

    return router
