"""Opening the application database: SQLite (WAL) by default, PostgreSQL by URL.

Also `Statement`: a Core statement compiled once, for the few statements a chat turn runs;
and `RowsInsert`: many rows in one INSERT, as a turn queues its Segment messages.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import psycopg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from segflow.errors import SettingsError

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another one before "database is locked"
# Connections kept open: the API's turn threads, a sender's threads, the collector's. Beyond
# the pool, each request would connect afresh, which costs more than the turn on PostgreSQL.
POOL_SIZE = 20
# A PostgreSQL connection idle this long is checked before use (the server may have restarted
# or dropped it); a busy one is not: a check costs a round trip, as much as a query.
PING_AFTER_IDLE = 5.0
# The PostgreSQL advisory lock that lets one process at a time bring the schema up to date.
MIGRATION_LOCK = 0x5E6F10


SUPPORTED = "SQLite (sqlite:///path/to/file.db) or PostgreSQL (postgresql://user@host/database)"


class DatabaseError(SettingsError):
    """The application database cannot be opened: a URL segflow cannot use, a server that
    does not answer, a database that does not exist."""


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs: segflow talks to PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Database:
    engine: Engine

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def migrate(self) -> None:
        """Bring the schema up to date (creates it on first use).

        Processes starting together on one database take turns: on PostgreSQL the first holds
        an advisory lock until its upgrade commits, and the others then find the schema
        current (SQLite's transactions take the file's write lock when they begin)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.is_postgresql:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def unready(self) -> str | None:
        """Why this database cannot serve now (it does not answer, or its schema is not the
        one this segflow expects), or None when it can. Reads outside any transaction."""
        try:
            row = Statement(text("SELECT version_num FROM alembic_version"), self).first()
        except (DBAPIError, self.engine.dialect.loaded_dbapi.Error) as error:
            return f"the database does not answer: {_first_line(error)}"
        current, expected = row[0] if row else None, _schema_head()
        if current != expected:
            return f"the database schema is at version {current}, this segflow needs {expected}"
        return None

    def dispose(self) -> None:
        self.engine.dispose()


class Statement:
    """A Core statement compiled once for one database, run on the DBAPI cursor.

    A chat turn runs a few statements that take the database microseconds; through
    SQLAlchemy's execute() each would cost several times that (cache key, compiled cache,
    result objects). Its parameters are its `bindparam` names; its literals keep their values.
    """

    def __init__(self, statement: ClauseElement, database: Database) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_statement_dialect(database)))
        self.sql = compiled.string
        self._database = database
        self._literals = {
            name: value for name, value in compiled.params.items() if value is not None
        }
        self._positions = compiled.positiontup  # None when the driver takes them by name

    def first(self, on: Connection | None = None, /, **values: Any) -> Any:
        """The query's first row (a tuple), or None, read outside any transaction: on SQLite
        it takes no lock (`engine.connect()` would take the write lock), on PostgreSQL it saves
        the round trip of the ROLLBACK that would end it.

        It reads on `on`, a connection with no transaction open (which a chat turn then
        writes with), else on a pooled connection of its own."""
        pooled = on.connection if on is not None else self._database.engine.raw_connection()
        driver: Any = pooled.driver_connection
        cursor = None
        # PostgreSQL: in autocommit mode for the read (see `turn_connection`: it already is).
        switched = self._database.is_postgresql and not driver.autocommit
        try:
            if switched:
                driver.autocommit = True
            cursor = self._cursor(driver)
            cursor.execute(self.sql, self._parameters(values))
            return cursor.fetchone()
        except self._database.engine.dialect.loaded_dbapi.Error as error:
            if self._database.engine.dialect.is_disconnect(error, driver, cursor):
                (on or pooled).invalidate(error)  # the pool then replaces it
            raise
        finally:
            if cursor is not None:
                cursor.close()
            if switched and not driver.closed:
                driver.autocommit = False
            if on is None:
                pooled.close()

    def run(self, connection: Connection, **values: Any) -> int:
        """Runs the statement in `connection`'s transaction (on a `turn_connection`, as a
        transaction of its own); returns the rows it changed (read before its cursor closes:
        psycopg forgets the count of a closed cursor)."""
        cursor = self._cursor(connection.connection.driver_connection)
        try:
            cursor.execute(self.sql, self._parameters(values))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _cursor(self, driver: Any) -> Any:
        return psycopg.RawCursor(driver) if self._database.is_postgresql else driver.cursor()

    def _parameters(self, values: Mapping[str, Any]) -> Mapping[str, Any] | Sequence[Any]:
        named = {**self._literals, **values}
        if self._positions is None:
            return named
        return tuple(named[name] for name in self._positions)


@contextmanager
def turn_connection(database: Database) -> Iterator[Connection]:
    """A pooled connection for a chat turn: it reads outside any transaction
    (`Statement.first(connection)`), then saves the turn.

    On PostgreSQL it is in autocommit mode, restored when it goes back to the pool: a turn is
    saved in one statement, which needs no BEGIN or COMMIT of its own (see `chat.saving`)."""
    with database.engine.connect() as connection:
        if not database.is_postgresql:
            yield connection
            return
        driver: Any = connection.connection.driver_connection
        driver.autocommit = True
        try:
            yield connection
        finally:
            if not driver.closed:
                driver.autocommit = False


class RowsInsert:
    """An INSERT of many rows in one statement, run on the DBAPI cursor: one round trip to
    PostgreSQL however many rows, and on SQLite no Python work per row beyond its tuple.
    Its SQL is written once per row count.

    On PostgreSQL it is written with the server's own placeholders ($1, $2…) and run on a raw
    cursor: psycopg would otherwise parse the statement's placeholders at every run once it has
    more than 50 values (it caches fewer), a turn of seven messages or more."""

    ROWS_PER_STATEMENT = 100  # 100 rows of a few columns stay far below any bound-value limit

    def __init__(self, table: Table, columns: Sequence[str], database: Database) -> None:
        preparer = database.engine.dialect.identifier_preparer
        names = ", ".join(preparer.quote(table.c[name].name) for name in columns)
        self._head = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES "
        self._width = len(columns)
        self._postgresql = database.is_postgresql
        self._sql: dict[int, str] = {}

    def run(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Inserts `rows` (tuples in the order of the columns) in `connection`'s transaction,
        begun here first if the caller has not (as execute() would have done)."""
        if not connection.in_transaction():
            connection.begin()
        driver: Any = connection.connection.driver_connection
        cursor = psycopg.RawCursor(driver) if self._postgresql else driver.cursor()
        try:
            step = self.ROWS_PER_STATEMENT
            for first in range(0, len(rows), step):
                chunk = rows[first : first + step]
                cursor.execute(self._statement(len(chunk)), [v for row in chunk for v in row])
        finally:
            cursor.close()

    def _statement(self, count: int) -> str:
        if (sql := self._sql.get(count)) is None:
            rows = (self._placeholders(row * self._width) for row in range(count))
            sql = self._sql[count] = self._head + ", ".join(rows)
        return sql

    def _placeholders(self, before: int) -> str:
        """One row's placeholders; on PostgreSQL numbered on from the `before` of earlier rows."""
        if self._postgresql:
            numbered = (f"${before + column}" for column in range(1, self._width + 1))
            return "(" + ", ".join(numbered) + ")"
        return "(" + ", ".join("?" * self._width) + ")"


def open_database(url: str, *, migrate: bool = True) -> Database:
    """The database at `url`, its schema brought up to date unless `migrate` is False.

    Raises DatabaseError, in one line naming the URL (password hidden), when it cannot be used.
    """
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        url = normalise_url(url)
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"The database URL {url!r} is not a URL; segflow uses {SUPPORTED}"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"The database URL {shown} is not one segflow uses: {SUPPORTED}")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                _create_private(Path(parsed.database))
            except OSError as error:
                raise DatabaseError(
                    f"Cannot create the SQLite database {parsed.database}: "
                    f"{error.strerror} ({error.filename})"
                ) from None
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT, "factory": _sqlite_connection_class()},
            pool_size=POOL_SIZE,
        )
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    else:
        engine = create_engine(url, pool_size=POOL_SIZE)
        engine.dialect.do_rollback = _rollback_keeping_prepared  # type: ignore[method-assign,assignment]
        _ping_when_idle(engine)
    _own_connections_after_fork(engine)
    database = Database(engine)
    if migrate:
        try:
            database.migrate()
        except DBAPIError as error:
            engine.dispose()
            raise DatabaseError(f"Cannot open the database {shown}: {_first_line(error)}") from None
    return database


@functools.cache
def _numbered_postgresql() -> Dialect:
    return PGDialect_psycopg(paramstyle="numeric_dollar")


def _statement_dialect(database: Database) -> Dialect:
    """The dialect a `Statement` is compiled for: on PostgreSQL with the server's own numbered
    placeholders ($1, $2…), which psycopg's raw cursor sends as they are (its other cursors
    parse a statement's placeholders again at every run once it has more than 50 values)."""
    return _numbered_postgresql() if database.is_postgresql else database.engine.dialect


def _first_line(error: Exception) -> str:
    """The driver's own message, first line: "connection refused", "database ... does not
    exist", without SQLAlchemy's SQL and background link."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return lines[0].removeprefix("connection failed: ") if lines else type(cause).__name__


@functools.cache
def _schema_head() -> str | None:
    """The schema version this segflow's migrations end at (read once: they ship with it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _own_connections_after_fork(engine: Engine) -> None:
    """A forked process (a gunicorn --preload worker) opens connections of its own: the pool
    it inherited holds its parent's, whose sockets two processes must never share. SQLAlchemy's
    documented way: forget them in the child without closing them (the parent still uses them)."""
    forked = weakref.ref(engine)  # a disposed-of engine is not kept alive by this hook

    def in_child() -> None:
        if (inherited := forked()) is not None:
            inherited.dispose(close=False)

    os.register_at_fork(after_in_child=in_child)


# -- SQLite ------------------------------------------------------------------------------------


def _create_private(path: Path) -> None:
    """Creates the database file readable by its owner only, as it holds chat answers; SQLite
    gives its -wal and -shm files the same permissions. An existing file is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own BEGIN handling would fight the BEGIN IMMEDIATE of `_begin_sqlite`.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    connection.connection.driver_connection.begin_writing()  # type: ignore[union-attr]


def _sqlite_connection_class() -> type[sqlite3.Connection]:
    """Connections to one database file whose transactions take its write lock at BEGIN, so
    that concurrent writers queue instead of failing. Within the process they queue on a
    Python lock, which hands over the moment a transaction ends: SQLite's own busy handler,
    still there for other processes, retries after sleeps of 1, 2, 5… ms."""

    class WriterConnection(sqlite3.Connection):
        writing = False
        lock = threading.Lock()

        def begin_writing(self) -> None:
            lock = self.lock
            if not lock.acquire(timeout=BUSY_TIMEOUT):
                raise sqlite3.OperationalError("database is locked")
            try:
                self.execute("BEGIN IMMEDIATE")
            except BaseException:
                lock.release()
                raise
            self.writing = True
            self._held = lock

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._done()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._done()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._done()

        def _done(self) -> None:
            if self.writing:
                self.writing = False
                self._held.release()

    def in_child() -> None:
        # A forked process starts with no transaction of its own: a lock taken by one of its
        # parent's threads would never be released in it.
        WriterConnection.lock = threading.Lock()

    os.register_at_fork(after_in_child=in_child)
    return WriterConnection


# -- PostgreSQL --------------------------------------------------------------------------------


def _ping_when_idle(engine: Engine) -> None:
    """Checks a pooled connection before use when it has been idle for PING_AFTER_IDLE; one
    that fails is replaced by a new one. A server that goes away under load fails the
    requests in flight, and the pool then starts afresh."""

    @event.listens_for(engine, "checkin")
    def idle_from(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"A pooled connection is gone: {error}") from error


def _rollback_keeping_prepared(pooled: PoolProxiedConnection) -> None:
    """SQLAlchemy's rollback (a read's end, a connection's return to the pool, an error), sent
    as a ROLLBACK statement. psycopg's own `rollback()` also deallocates every statement the
    connection has prepared, so after each read the chat turns on that connection parsed and
    planned their statements afresh: a quarter of PostgreSQL's CPU per turn. Prepared
    statements outlive a rollback in PostgreSQL, and psycopg forgets one whose preparing
    failed."""
    driver = cast(psycopg.Connection[Any], pooled.driver_connection)
    if driver.pgconn.transaction_status != TransactionStatus.IDLE:
        driver.execute("ROLLBACK", prepare=False)
