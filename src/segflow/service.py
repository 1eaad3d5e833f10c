"""segflow assembled: settings, database, destinations and outbox, for the CLI, API and tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from segflow.delivery import Outbox, Sender, SenderOptions
from segflow.destinations import Destination, Destinations, load_cipher
from segflow.errors import SettingsError
from segflow.segment import SegmentAction, SegmentMessage, build_message
from segflow.settings import Settings
from segflow.store import Database, open_database


@dataclass(frozen=True)
class Segflow:
    settings: Settings
    database: Database
    destinations: Destinations
    outbox: Outbox

    @classmethod
    def open(cls, settings: Settings | None = None) -> Segflow:
        settings = settings or Settings()
        database = open_database(settings.resolved_database_url)
        return cls(
            settings=settings,
            database=database,
            destinations=Destinations(database, load_cipher(settings), settings),
            outbox=Outbox(database),
        )

    def send(
        self,
        action: SegmentAction,
        variables: Mapping[str, object] | None = None,
        *,
        destination: Destination | str | None = None,
        anonymous_id: str | None = None,
        user_id: str | None = None,
        connection: Connection | None = None,
    ) -> SegmentMessage:
        """Builds the action's message and queues it (inside `connection`'s transaction if given).

        Raises SegmentActionError, naming the action and field, when the message cannot be built.
        """
        message = build_message(action, variables or {}, anonymous_id=anonymous_id, user_id=user_id)
        self.queue(message, destination=destination, connection=connection)
        return message

    def queue(
        self,
        message: SegmentMessage,
        *,
        destination: Destination | str | None = None,
        connection: Connection | None = None,
        chat_id: str | None = None,
    ) -> Destination:
        """Queues the message (inside `connection`'s transaction if given); with `chat_id`,
        listed under that chat, where the chat's deliveries are read from."""
        target = (
            destination
            if isinstance(destination, Destination)
            else self.destinations.resolve(destination)
        )
        self.outbox.enqueue_many(
            [message], target.id, connection=connection, chat_session_id=chat_id
        )
        return target

    def sender(self, options: SenderOptions | None = None) -> Sender:
        """A sender; by default with the lease of SEGFLOW_DELIVERY_LEASE_SECONDS."""
        return Sender(self.outbox, self.destinations, options or self.sender_options())

    def sender_options(self, *, lease: float | None = None, timeout: float = 15.0) -> SenderOptions:
        """Sender options with `lease`, or SEGFLOW_DELIVERY_LEASE_SECONDS when None; raises
        SettingsError, naming where the lease came from, unless it exceeds `timeout`."""
        if lease is None:
            lease, named = self.settings.delivery_lease_seconds, "SEGFLOW_DELIVERY_LEASE_SECONDS"
        else:
            named = "--lease"
        if lease <= timeout:
            raise SettingsError(
                f"{named} ({lease:g} s) must be longer than the HTTP timeout ({timeout:g} s): "
                "a batch still in flight would be claimed again"
            )
        return SenderOptions(lease=lease, timeout=timeout)

    def close(self) -> None:
        self.database.dispose()
