"""Every table segflow keeps, as SQLAlchemy Core tables (times are Unix seconds)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")

destinations = Table(
    "destinations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("endpoint", String(500), nullable=False),
    Column("write_key_encrypted", LargeBinary, nullable=False),
    Column("write_key_hint", String(8), nullable=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    # Delivery backoff, shared by every sender process so that all of them honour it.
    Column("retry_at", Float, nullable=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "destination_id",
        ForeignKey("destinations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("message_id", String(100), nullable=False),
    Column("type", String(16), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Index("ix_outbox_pending", "destination_id", "state", "id"),
    Index("ix_outbox_message_id", "message_id"),
)

collected_requests = Table(
    "collected_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("received_at", Float, nullable=False),
    Column("path", String(100), nullable=False),
    Column("auth", String(16), nullable=False),
    Column("write_key_hint", String(8), nullable=True),
    Column("gzip", Boolean, nullable=False),
    Column("body_bytes", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("answer", Text, nullable=False),
)

collected_events = Table(
    "collected_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "request_id",
        ForeignKey("collected_requests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("received_at", Float, nullable=False),
    Column("write_key_hint", String(8), nullable=True),
    Column("type", String(16), nullable=False),
    Column("message_id", String(100), nullable=True),
    Column("user_id", String(500), nullable=True),
    Column("anonymous_id", String(500), nullable=True),
    Column("name", String(500), nullable=True),
    Column("payload", Text, nullable=False),
    Index("ix_collected_events_message_id", "message_id"),
)
