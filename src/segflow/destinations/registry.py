"""The destinations table: add, list, remove, and pick the default Segment account."""

from __future__ import annotations

import time

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from segflow.destinations.destination import Destination, WriteKey, hint
from segflow.destinations.endpoints import resolve_endpoint
from segflow.destinations.secrets import WriteKeyCipher
from segflow.errors import DestinationError
from segflow.settings import Settings
from segflow.store import Database
from segflow.store.tables import destinations, outbox

# Names of the destinations segflow manages by itself.
ENVIRONMENT = "environment"
LOCAL_COLLECTOR = "local-collector"
LOCAL_WRITE_KEY = "segflow-local-collector"


class Destinations:
    def __init__(self, database: Database, cipher: WriteKeyCipher, settings: Settings) -> None:
        self._database = database
        self._cipher = cipher
        self._settings = settings

    def add(
        self,
        name: str,
        write_key: str,
        endpoint: str | None = None,
        *,
        default: bool = False,
    ) -> Destination:
        name = name.strip()
        if not name:
            raise DestinationError("A destination needs a name")
        if name in (ENVIRONMENT, LOCAL_COLLECTOR):
            raise DestinationError(f"The name {name!r} is reserved for segflow's own destinations")
        key = write_key.strip()
        if not key:
            raise DestinationError(
                f"Destination {name!r} needs a Write Key "
                "(Segment dashboard: Sources, select the source, API Keys)"
            )
        with self._database.engine.begin() as connection:
            if self._find(connection, name) is not None:
                raise DestinationError(f"A destination named {name!r} already exists")
            if default:
                connection.execute(update(destinations).values(is_default=False))
            connection.execute(
                insert(destinations).values(
                    name=name,
                    endpoint=resolve_endpoint(endpoint),
                    write_key_encrypted=self._cipher.encrypt(WriteKey(key)),
                    write_key_hint=hint(key),
                    is_default=default,
                    created_at=time.time(),
                    failures=0,
                )
            )
            row = self._find(connection, name)
        assert row is not None
        return _destination(row)

    def list(self) -> list[Destination]:
        with self._database.engine.connect() as connection:
            rows = connection.execute(select(destinations).order_by(destinations.c.name)).all()
        return [_destination(row) for row in rows]

    def get(self, name: str) -> Destination:
        with self._database.engine.connect() as connection:
            row = self._find(connection, name)
        if row is None:
            known = ", ".join(d.name for d in self.list()) or "none yet"
            raise DestinationError(f"No destination named {name!r} (known: {known})")
        return _destination(row)

    def by_id(self, destination_id: int) -> Destination:
        with self._database.engine.connect() as connection:
            row = connection.execute(
                select(destinations).where(destinations.c.id == destination_id)
            ).first()
        if row is None:
            raise DestinationError(f"No destination with id {destination_id}")
        return _destination(row)

    def set_default(self, name: str) -> Destination:
        chosen = self.get(name)
        with self._database.engine.begin() as connection:
            connection.execute(update(destinations).values(is_default=False))
            connection.execute(
                update(destinations).where(destinations.c.id == chosen.id).values(is_default=True)
            )
        return self.get(name)

    def remove(self, name: str) -> None:
        """Refuses while messages wait for the destination: removing it would drop them."""
        chosen = self.get(name)
        with self._database.engine.begin() as connection:
            waiting = connection.execute(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.destination_id == chosen.id, outbox.c.state == "queued")
            ).scalar_one()
            if waiting:
                raise DestinationError(
                    f"Destination {name!r} still has {waiting} queued message(s); deliver them "
                    f"first (segflow deliver --until-empty) or purge them "
                    f"(segflow outbox purge --destination {name} --queued)"
                )
            connection.execute(delete(destinations).where(destinations.c.id == chosen.id))

    def write_key(self, destination_id: int) -> WriteKey:
        with self._database.engine.connect() as connection:
            row = connection.execute(
                select(destinations.c.name, destinations.c.write_key_encrypted).where(
                    destinations.c.id == destination_id
                )
            ).first()
        if row is None:
            raise DestinationError(f"No destination with id {destination_id}")
        return self._cipher.decrypt(row.write_key_encrypted, destination=row.name)

    def resolve(self, name: str | None = None) -> Destination:
        """The destination to send to: the one named, else the default.

        The default is the destination marked default; else SEGMENT_WRITE_KEY from the
        environment; else the built-in local collector, so segflow works with no account.
        """
        if name:
            return self.get(name)
        with self._database.engine.connect() as connection:
            row = connection.execute(
                select(destinations).where(destinations.c.is_default.is_(True))
            ).first()
        if row is not None:
            return _destination(row)
        environment_key = self._settings.segment_write_key
        if environment_key is not None and environment_key.get_secret_value().strip():
            return self._managed(
                ENVIRONMENT,
                environment_key.get_secret_value().strip(),
                resolve_endpoint(self._settings.segment_endpoint),
            )
        return self._managed(LOCAL_COLLECTOR, LOCAL_WRITE_KEY, self._settings.collector_url)

    def _managed(self, name: str, write_key: str, endpoint: str) -> Destination:
        """Creates or refreshes a destination whose settings come from segflow's own settings.

        Called on every message sent to the default destination, so it only reads unless the
        settings changed.
        """
        with self._database.engine.connect() as connection:
            row = self._find(connection, name)
        if row is not None and self._matches(row, write_key, endpoint):
            return _destination(row)
        values = {
            "endpoint": endpoint,
            "write_key_encrypted": self._cipher.encrypt(WriteKey(write_key)),
            "write_key_hint": hint(write_key),
        }
        with self._database.engine.begin() as connection:
            row = self._find(connection, name)
            if row is None:
                connection.execute(
                    insert(destinations).values(
                        name=name, is_default=False, created_at=time.time(), failures=0, **values
                    )
                )
            elif not self._matches(row, write_key, endpoint):
                connection.execute(
                    update(destinations).where(destinations.c.id == row.id).values(**values)
                )
            row = self._find(connection, name)
        assert row is not None
        return _destination(row)

    def _matches(self, row: Row, write_key: str, endpoint: str) -> bool:
        if row.endpoint != endpoint:
            return False
        stored = self._cipher.decrypt(row.write_key_encrypted, destination=row.name)
        return stored.reveal() == write_key

    @staticmethod
    def _find(connection: Connection, name: str) -> Row | None:
        return connection.execute(select(destinations).where(destinations.c.name == name)).first()


def _destination(row: Row) -> Destination:
    return Destination(
        id=row.id,
        name=row.name,
        endpoint=row.endpoint,
        write_key_hint=row.write_key_hint,
        is_default=bool(row.is_default),
    )
