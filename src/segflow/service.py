"""segflow assembled: settings, database, destinations and outbox, for the CLI, API and tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from segflow.delivery import Outbox, Sender, SenderOptions
from segflow.destinations import Destination, Destinations, load_cipher
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
    ) -> Destination:
        target = (
            destination
            if isinstance(destination, Destination)
            else self.destinations.resolve(destination)
        )
        self.outbox.enqueue(message, target.id, connection=connection)
        return target

    def sender(self, options: SenderOptions | None = None) -> Sender:
        return Sender(self.outbox, self.destinations, options)

    def close(self) -> None:
        self.database.dispose()
