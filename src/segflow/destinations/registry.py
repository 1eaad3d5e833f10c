"""The destinations table: add, change, rename, list, remove, and pick the default account.

Every Segment message of a chat turn asks which account it goes to, so the answer is kept for
RESOLVED_FOR seconds, and decrypted Write Keys for as long as their encrypted form is the one
stored.
"""

from __future__ import annotations

import builtins
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from segflow.destinations.destination import Destination, WriteKey, hint
from segflow.destinations.endpoints import resolve_endpoint
from segflow.destinations.secrets import UndecryptableWriteKeyError, WriteKeyCipher
from segflow.errors import DestinationError
from segflow.settings import Settings
from segflow.store import Database
from segflow.store.tables import destinations, outbox

# Names of the destinations segflow manages by itself.
ENVIRONMENT = "environment"
LOCAL_COLLECTOR = "local-collector"
LOCAL_WRITE_KEY = "segflow-local-collector"
MANAGED = (ENVIRONMENT, LOCAL_COLLECTOR)
# What people see instead of the managed destinations' names.
LABELS = {
    LOCAL_COLLECTOR: "Built-in test collector",
    ENVIRONMENT: "Account of SEGMENT_WRITE_KEY",
}
# Seconds a resolved destination is reused. Changes made through the same `Destinations` apply
# at once; another process's (`segflow destination add --default` beside `segflow serve`) within
# this time.
RESOLVED_FOR = 2.0
NAME_LENGTH = 100
# Messages not delivered yet: waiting (retrying included) or dead-lettered.
UNDELIVERED = ("queued", "dead")
_DECRYPTED_KEYS = 256


@dataclass(frozen=True)
class RotatedWriteKeys:
    """What `Destinations.rotate_write_keys` did."""

    reencrypted: int  # accounts people added; segflow's own are re-encrypted too, not counted
    undecryptable: list[str]  # accounts whose Write Key no secret key decrypts


def label_for(name: str) -> str:
    """The name people see: a user's account by its name, segflow's own ones by what they are."""
    return LABELS.get(name, name)


class Destinations:
    def __init__(self, database: Database, cipher: WriteKeyCipher, settings: Settings) -> None:
        self._database = database
        self._cipher = cipher
        self._settings = settings
        self._resolved: dict[str | None, tuple[float, Destination]] = {}  # by name: (until, it)
        self._write_keys: dict[bytes, WriteKey] = {}  # by encrypted Write Key

    def add(
        self,
        name: str,
        write_key: str,
        endpoint: str | None = None,
        *,
        default: bool = False,
    ) -> Destination:
        name = _new_name(name)
        key = _write_key(name, write_key)
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
        self._resolved.clear()
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
        self._resolved.clear()
        return self.get(name)

    def update(
        self, name: str, *, endpoint: str | None = None, write_key: str | None = None
    ) -> Destination:
        """Changes the endpoint and/or the Write Key. Either ends the destination's backoff, so
        its queued and retrying messages go out at once, to the new endpoint, with the new key.
        """
        with self._database.engine.connect() as connection:
            chosen = self._own(connection, name, "changed")
        values: dict[str, object] = {}
        if endpoint is not None:
            values["endpoint"] = resolve_endpoint(endpoint)
        if write_key is not None:
            key = _write_key(name, write_key)
            values["write_key_encrypted"] = self._cipher.encrypt(WriteKey(key))
            values["write_key_hint"] = hint(key)
        if not values:
            raise DestinationError(
                f"Nothing to change in destination {name!r}: give an endpoint or a Write Key"
            )
        with self._database.engine.begin() as connection:
            connection.execute(
                update(destinations)
                .where(destinations.c.id == chosen.id)
                .values(**values, retry_at=None, failures=0, last_error=None)
            )
        self._resolved.clear()
        return self.get(name)

    def rename(
        self, name: str, new_name: str, *, connection: Connection | None = None
    ) -> Destination:
        """Renames the destination; its queued messages stay with it (they name its id).
        With `connection`, inside that connection's transaction."""
        new_name = _new_name(new_name)
        with _transaction(self._database, connection) as own:
            chosen = self._own(own, name, "renamed")
            if new_name == chosen.name:
                return _destination(chosen)
            if self._find(own, new_name) is not None:
                raise DestinationError(f"A destination named {new_name!r} already exists")
            own.execute(
                update(destinations).where(destinations.c.id == chosen.id).values(name=new_name)
            )
            renamed = self._find(own, new_name)
        self._resolved.clear()
        assert renamed is not None
        return _destination(renamed)

    def remove(self, name: str, *, connection: Connection | None = None) -> None:
        """Refuses while undelivered messages (queued or dead-lettered) wait for the
        destination: removing it would drop them. Move or drop them first."""
        with _transaction(self._database, connection) as own:
            chosen = self._own(own, name, "removed")
            waiting = own.execute(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.destination_id == chosen.id, outbox.c.state.in_(UNDELIVERED))
            ).scalar_one()
            if waiting:
                raise DestinationError(
                    f"Destination {name!r} still has {waiting} undelivered message(s): move them "
                    "to another account or drop them when removing it"
                )
            own.execute(delete(destinations).where(destinations.c.id == chosen.id))
        self._resolved.clear()

    def _own(self, connection: Connection, name: str, done: str) -> Row:
        """A destination the user added: segflow's own ones follow its settings."""
        if name in MANAGED:
            raise DestinationError(
                f"{LABELS[name]} ({name!r}) comes from segflow's settings and cannot be {done}"
            )
        found = self._find(connection, name)
        if found is None:
            known = ", ".join(
                row.name for row in connection.execute(select(destinations.c.name)).all()
            )
            raise DestinationError(f"No destination named {name!r} (known: {known or 'none yet'})")
        return found

    def write_key(self, destination_id: int) -> WriteKey:
        with self._database.engine.connect() as connection:
            row = connection.execute(
                select(destinations.c.name, destinations.c.write_key_encrypted).where(
                    destinations.c.id == destination_id
                )
            ).first()
        if row is None:
            raise DestinationError(f"No destination with id {destination_id}")
        try:
            return self._decrypt(row.write_key_encrypted, row.name)
        except UndecryptableWriteKeyError:
            own = self._own_write_key(row.name)
            if own is None:
                raise
        # segflow's own account: its key comes from the settings, so it is saved again.
        with self._database.engine.begin() as connection:
            connection.execute(
                update(destinations)
                .where(destinations.c.id == destination_id)
                .values(write_key_encrypted=self._cipher.encrypt(WriteKey(own)))
            )
        return WriteKey(own)

    @property
    def secret_key_source(self) -> str:
        """Where the secret key that encrypts Write Keys comes from, in words."""
        return self._cipher.source

    def undecryptable(self) -> builtins.list[str]:
        """The accounts people added whose Write Key no secret key decrypts: each must be
        typed again. (segflow's own accounts take theirs from the settings again.)"""
        with self._database.engine.connect() as connection:
            rows = connection.execute(
                select(destinations.c.name, destinations.c.write_key_encrypted)
                .where(destinations.c.name.not_in(MANAGED))
                .order_by(destinations.c.name)
            ).all()
        return [row.name for row in rows if not self._readable(row.write_key_encrypted, row.name)]

    def _readable(self, token: bytes, name: str) -> bool:
        try:
            self._decrypt(token, name)
        except UndecryptableWriteKeyError:
            return False
        return True

    def rotate_write_keys(self) -> RotatedWriteKeys:
        """Encrypts every stored Write Key again with the newest secret key, in one
        transaction. The ones no key decrypts stay as they are, and are named."""
        reencrypted = 0
        unreadable: builtins.list[str] = []
        with self._database.engine.begin() as connection:
            query = select(
                destinations.c.id, destinations.c.name, destinations.c.write_key_encrypted
            ).order_by(destinations.c.name)
            if self._database.is_postgresql:
                query = query.with_for_update()
            for row in connection.execute(query).all():
                token = self._cipher.rotate(row.write_key_encrypted)
                if token is None and (own := self._own_write_key(row.name)) is not None:
                    token = self._cipher.encrypt(WriteKey(own))
                if token is None:
                    unreadable.append(row.name)
                    continue
                connection.execute(
                    update(destinations)
                    .where(destinations.c.id == row.id)
                    .values(write_key_encrypted=token)
                )
                reencrypted += row.name not in MANAGED
        self._write_keys.clear()
        return RotatedWriteKeys(reencrypted, unreadable)

    def _own_write_key(self, name: str) -> str | None:
        """The Write Key of segflow's own account `name`, from the settings; None for others."""
        if name == LOCAL_COLLECTOR:
            return LOCAL_WRITE_KEY
        environment_key = self._settings.segment_write_key
        if name == ENVIRONMENT and environment_key is not None:
            return environment_key.get_secret_value().strip() or None
        return None

    def resolve(self, name: str | None = None) -> Destination:
        """The destination to send to: the one named, else the default.

        The default is the destination marked default; else SEGMENT_WRITE_KEY from the
        environment; else the built-in local collector, so segflow works with no account.
        The answer is reused for RESOLVED_FOR seconds; a name that is not found is not kept.
        """
        key = name or None
        now = time.monotonic()
        if (kept := self._resolved.get(key)) is not None and kept[0] > now:
            return kept[1]
        found = self.get(key) if key else self._default()
        self._resolved[key] = (now + RESOLVED_FOR, found)
        return found

    def _default(self) -> Destination:
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
        try:
            row = self._save_managed(name, write_key, endpoint, values)
        except IntegrityError:
            # Another process (a second API worker, a sender) created it at the same moment.
            row = self._save_managed(name, write_key, endpoint, values)
        self._resolved.clear()
        assert row is not None
        return _destination(row)

    def _save_managed(
        self, name: str, write_key: str, endpoint: str, values: Mapping[str, object]
    ) -> Row | None:
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
            return self._find(connection, name)

    def _matches(self, row: Row, write_key: str, endpoint: str) -> bool:
        if row.endpoint != endpoint:
            return False
        try:
            return self._decrypt(row.write_key_encrypted, row.name).reveal() == write_key
        except UndecryptableWriteKeyError:
            return False  # saved with a secret key that is gone: saved again with this one

    def _decrypt(self, token: bytes, destination: str) -> WriteKey:
        """A stored Write Key, decrypted once: Fernet takes longer than the turn's queries."""
        if (kept := self._write_keys.get(token)) is not None:
            return kept
        write_key = self._cipher.decrypt(token, destination=destination)
        if len(self._write_keys) >= _DECRYPTED_KEYS:
            self._write_keys.clear()
        self._write_keys[token] = write_key
        return write_key

    @staticmethod
    def _find(connection: Connection, name: str) -> Row | None:
        return connection.execute(select(destinations).where(destinations.c.name == name)).first()


@contextmanager
def _transaction(database: Database, connection: Connection | None) -> Iterator[Connection]:
    """The caller's open transaction, else one of our own."""
    if connection is not None:
        yield connection
        return
    with database.engine.begin() as own:
        yield own


def _new_name(name: str) -> str:
    """A name a user may give: not empty, not too long, not one segflow's own could be taken for."""
    name = name.strip()
    if not name:
        raise DestinationError("A destination needs a name")
    if len(name) > NAME_LENGTH:
        raise DestinationError(f"A destination's name fits {NAME_LENGTH} characters at most")
    if _plain(name) in {_plain(managed) for managed in MANAGED} | {_plain(LABELS[LOCAL_COLLECTOR])}:
        raise DestinationError(
            f"The name {name!r} is too close to segflow's own {LABELS[LOCAL_COLLECTOR]!r} "
            f"({LOCAL_COLLECTOR!r}) or {ENVIRONMENT!r}: choose another"
        )
    return name


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _write_key(name: str, write_key: str) -> str:
    key = write_key.strip()
    if not key:
        raise DestinationError(
            f"Destination {name!r} needs a Write Key "
            "(Segment dashboard: Sources, select the source, API Keys)"
        )
    return key


def _destination(row: Row) -> Destination:
    return Destination(
        id=row.id,
        name=row.name,
        endpoint=row.endpoint,
        write_key_hint=row.write_key_hint,
        is_default=bool(row.is_default),
    )
