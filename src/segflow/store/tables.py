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
    UniqueConstraint,
    text,
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
    Column("finished_at", Float, nullable=True),
    # The chat whose turn queued the message (a preview chat or a test event too), for its
    # Results and the editor's Events; None for other messages.
    Column("chat_session_id", String(36), nullable=True),
    # No index on message_id: random IDs would spread each message's entry over an index as
    # long as the delivered history. A message's delivery is looked up through its chat.
    Index("ix_outbox_chat_session_id", "chat_session_id"),
    # Delivered messages by age, for retention; queued ones are not in it.
    Index(
        "ix_outbox_delivered_finished_at",
        "finished_at",
        sqlite_where=text("state = 'delivered'"),
        postgresql_where=text("state = 'delivered'"),
    ),
    # Queued and dead-lettered messages are found here however long the delivered history
    # grows; delivered ones are in no state index, so marking a batch delivered is cheap.
    *(
        Index(
            f"ix_outbox_{state}",
            "destination_id",
            "id",
            sqlite_where=text(f"state = '{state}'"),
            postgresql_where=text(f"state = '{state}'"),
        )
        for state in ("queued", "dead")
    ),
)

# A sender's claim on one batch: the queued messages of a destination from first_id to last_id
# are its until the lease runs out. One row per batch, so a claim writes no outbox row.
outbox_claims = Table(
    "outbox_claims",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "destination_id",
        ForeignKey("destinations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("sender", String(64), nullable=False),  # host:pid:tag
    Column("first_id", BigInteger, nullable=False),
    Column("last_id", BigInteger, nullable=False),
    Column("claimed_until", Float, nullable=False),
    Index("ix_outbox_claims_destination_id", "destination_id", "first_id"),
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
    Index("ix_collected_requests_received_at", "received_at"),  # retention deletes by age
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
    Index("ix_collected_events_request_id", "request_id"),
)

# -- chatbots: flows, their published versions, and the chats running on them --------------

flows = Table(
    "flows",
    metadata,
    Column("id", String(100), primary_key=True),  # a slug, e.g. "lead-capture"
    Column("name", String(200), nullable=False),
    Column("draft", Text, nullable=False),  # the flow document being edited, as JSON
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # 1 when created, one more on every save: a save based on an older one is a conflict.
    Column("revision", Integer, nullable=False, server_default=text("1")),
    # The flow file the draft was last saved from (`segflow chat FILE`, `serve --flow`); None
    # when saved in the Flow Editor or through its API, which a flow file never replaces unasked.
    Column("source_file", String(1000), nullable=True),
)

flow_versions = Table(
    "flow_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow_id", ForeignKey("flows.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, 3… per flow
    Column("document", Text, nullable=False),  # the published snapshot, as JSON; never changes
    Column("published_at", Float, nullable=False),
    UniqueConstraint("flow_id", "version", name="uq_flow_versions_flow_id_version"),
)

# Other IDs a flow answers to (e.g. the publicId of the Typebot it was imported from), taken
# from its draft when saved: one flow per alias, found with one lookup of the primary key.
flow_aliases = Table(
    "flow_aliases",
    metadata,
    Column("alias", String(100), primary_key=True),
    Column("flow_id", ForeignKey("flows.id", ondelete="CASCADE"), nullable=False),
    Index("ix_flow_aliases_flow_id", "flow_id"),
)

chat_sessions = Table(
    "chat_sessions",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID
    # A chat keeps the version it started on, even after a newer one is published.
    Column("flow_version_id", ForeignKey("flow_versions.id"), nullable=False),
    Column("flow_id", String(100), nullable=False),  # the version's flow, for its Results
    Column("state", Text, nullable=False),  # variables and the awaited input, as JSON
    Column("anonymous_id", String(500), nullable=False),
    Column("user_id", String(500), nullable=True),
    # What the website told about the visitor (page, userAgent, ip...), as JSON; never changes.
    Column("visitor", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("turns", Integer, nullable=False),  # guards against two answers saved at once
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_chat_sessions_flow_version_id", "flow_version_id"),
    # A flow's Results list its chats newest first, a page at a time (keyset pagination).
    Index("ix_chat_sessions_flow_id_created_at", "flow_id", "created_at", "id"),
)

# The transcript of each chat: per turn, the visitor's answer and the bot's messages.
chat_turns = Table(
    "chat_turns",
    metadata,
    Column("chat_session_id", ForeignKey("chat_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("turn", Integer, primary_key=True),  # 1 for the chat's start, then one per answer
    Column("answer", Text, nullable=True),  # None for the start
    Column("messages", Text, nullable=False),  # the bot's messages, as JSON
    Column("at", Float, nullable=False),
    sqlite_with_rowid=False,  # one B-tree to write per turn, not a table and its key's index
)

# The Flow Editor's preview chats: kept here, not in a process's memory, so that each turn and
# the Events panel may be served by any worker. No chat session of the flow; the newest few
# hundred are kept.
preview_chats = Table(
    "preview_chats",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID
    Column("flow_id", String(100), nullable=False),
    Column("source", String(16), nullable=False),  # "draft" or "published"
    Column("flow_version_id", Integer, nullable=True),  # the published version it runs
    Column("draft", Text, nullable=True),  # the draft it runs, as JSON, as it was at its start
    Column("state", Text, nullable=False),  # the whole session state, as JSON
    Column("sent", Text, nullable=False),  # its Segment messages and their accounts, as JSON
    Column("turns", Integer, nullable=False),  # guards against two answers saved at once
    Column("created_at", Float, nullable=False),
    Index("ix_preview_chats_created_at", "created_at"),
)
