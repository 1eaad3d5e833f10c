"""Saved flows: drafts being edited, and the published versions chats run on."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Connection, Row, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from segflow.blocks import BlockRegistry, default_registry
from segflow.chat.errors import (
    DraftConflictError,
    FlowChangedInEditorError,
    FlowIdTakenError,
    FlowNotFoundError,
)
from segflow.chat.records import PublishedFlow, SavedFlow
from segflow.errors import SegflowError
from segflow.flow import Flow, FlowError, FlowProblem, FlowReading, parse_flow
from segflow.flow.links import PublishedVersion
from segflow.flow.model import ALIAS_PATTERN
from segflow.flow.problems import FLOW
from segflow.service import Segflow
from segflow.store.db import Statement
from segflow.store.storable import NAME_LENGTH, json_problems
from segflow.store.tables import flow_aliases, flow_versions, flows

FLOW_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?")
_CACHED_VERSIONS = 256


class Flows:
    """Flows by ID: save drafts, publish them as versions, list and read them back."""

    def __init__(self, segflow: Segflow, registry: BlockRegistry | None = None) -> None:
        self._segflow = segflow
        self._database = segflow.database
        self._registry = registry or default_registry()
        self._versions: OrderedDict[int, PublishedFlow] = OrderedDict()
        self._versions_lock = threading.Lock()
        # Each new chat asks for its flow's latest version: compiled once (see `Statement`).
        of_flow = select(flow_versions.c.id).where(flow_versions.c.flow_id == bindparam("flow_id"))
        self._latest_version = Statement(
            of_flow.order_by(flow_versions.c.version.desc()).limit(1), self._database
        )
        self._numbered_version = Statement(
            of_flow.where(flow_versions.c.version == bindparam("version")), self._database
        )
        self._aliased = Statement(
            select(flow_aliases.c.flow_id).where(flow_aliases.c.alias == bindparam("alias")),
            self._database,
        )

    def save(
        self,
        document: Mapping[str, Any],
        flow_id: str | None = None,
        *,
        base_revision: int | None = None,
        source_file: str | None = None,
    ) -> SavedFlow:
        """Saves a draft under `flow_id` (new or existing), or as a new flow whose ID comes
        from its name. Only its name is checked now; the rest, when it is published.
        `source_file` is the flow file the draft comes from; None for the editor and the API.

        With `base_revision`, the draft replaces that revision only: if another save came
        since, nothing is saved and `DraftConflictError` says which revision is there now."""
        name = document.get("name") if isinstance(document, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise FlowError([FlowProblem(FLOW, "Name is required")])
        if len(name.strip()) > NAME_LENGTH:
            too_long = f"Name is {len(name.strip()):,} characters; at most {NAME_LENGTH} fit"
            raise FlowError([FlowProblem(FLOW, too_long)])
        if problems := [FlowProblem(FLOW, found) for found in json_problems(document)]:
            raise FlowError(problems[:10])  # the first ones: enough to find what to fix
        if flow_id is not None and not FLOW_ID.fullmatch(flow_id):
            raise SegflowError(
                f'"{flow_id}" cannot be a flow ID: use lowercase letters, digits and dashes, '
                "e.g. lead-capture"
            )
        draft = orjson.dumps(dict(document)).decode()
        aliases = _aliases_in(document)
        now = time.time()
        with self._database.engine.begin() as connection:
            if flow_id is None:
                taken = set(connection.execute(select(flows.c.id)).scalars())
                taken |= set(connection.execute(select(flow_aliases.c.alias)).scalars())
                flow_id = _free_id(name, taken)
            else:
                _refuse_alias_as_id(connection, flow_id)
            exists = connection.execute(select(flows.c.id).where(flows.c.id == flow_id)).first()
            if exists:
                replaced = update(flows).where(flows.c.id == flow_id)
                if base_revision is not None:
                    replaced = replaced.where(flows.c.revision == base_revision)
                changed = connection.execute(
                    replaced.values(
                        name=name.strip(),
                        draft=draft,
                        updated_at=now,
                        revision=flows.c.revision + 1,
                        source_file=source_file,
                    )
                )
                if changed.rowcount == 0:  # compared and set at once: two saves cannot both win
                    raise _conflict(connection, flow_id, base_revision)
            elif base_revision is not None:
                raise FlowNotFoundError(flow_id)
            else:
                connection.execute(
                    insert(flows).values(
                        id=flow_id,
                        name=name.strip(),
                        draft=draft,
                        created_at=now,
                        updated_at=now,
                        source_file=source_file,
                    )
                )
            _claim_aliases(connection, flow_id, name.strip(), aliases)
            saved = connection.execute(_saved_flows().where(flows.c.id == flow_id)).one()
        return _saved(saved)

    def save_file(
        self, document: Mapping[str, Any], flow_id: str, *, file: Path, replace: bool = False
    ) -> SavedFlow:
        """Saves a flow file's document as the draft of `flow_id`, unless that flow's draft
        was saved in the Flow Editor (or through its API) and differs from the file: then
        nothing is saved and `FlowChangedInEditorError` says so, unless `replace`."""
        try:
            saved = self.get(flow_id)
        except FlowNotFoundError:
            return self.save(document, flow_id, source_file=_source_file(file))
        if saved.draft == orjson.loads(orjson.dumps(dict(document))):
            return saved  # unchanged: an editor open on the flow keeps its revision
        if saved.source_file is None and not replace:
            raise FlowChangedInEditorError(flow_id, str(file), saved.published_version)
        return self.save(
            document, flow_id, base_revision=saved.revision, source_file=_source_file(file)
        )

    def publish(self, flow_id: str, *, base_revision: int | None = None) -> PublishedFlow:
        """Checks the draft (every problem, its Segment accounts against the existing
        destinations, its links against the published flows) and makes it the version new
        chats start on. Publishing an unchanged draft again gives back the latest version.
        With `base_revision`, only that revision of the draft is published
        (`DraftConflictError` if another one was saved since)."""
        saved = self.get(flow_id)
        if base_revision is not None and saved.revision != base_revision:
            raise DraftConflictError(flow_id, base_revision, saved.revision, saved.updated_at)
        accounts = [destination.name for destination in self._segflow.destinations.list()]
        flow = parse_flow(
            saved.draft,
            registry=self._registry,
            destinations=accounts,
            linked=lambda reference: self.linked_flow(reference, linking=flow_id),
            source=f'Flow "{flow_id}"',
        )
        document = flow.model_dump(mode="json")
        with self._database.engine.begin() as connection:
            latest = connection.execute(
                select(flow_versions)
                .where(flow_versions.c.flow_id == flow_id)
                .order_by(flow_versions.c.version.desc())
                .limit(1)
            ).first()
            if latest is not None and self._unchanged(latest.document, document):
                return self._published(latest, flow)
            try:
                connection.execute(
                    insert(flow_versions).values(
                        flow_id=flow_id,
                        version=(latest.version if latest else 0) + 1,
                        document=orjson.dumps(document).decode(),
                        published_at=time.time(),
                    )
                )
            except IntegrityError:
                raise SegflowError(
                    f'Flow "{flow_id}" was published twice at the same time; publish it again'
                ) from None
        return self.published(flow_id)

    def _unchanged(self, published: str, document: dict[str, Any]) -> bool:
        """Whether a published version holds `document`, read as segflow reads it today (an
        older segflow wrote fewer fields, e.g. no aliases)."""
        stored = orjson.loads(published)
        if stored == document:
            return True
        try:
            reread = Flow.model_validate(stored, context=FlowReading(self._registry))
        except ValidationError:
            return False
        return bool(reread.model_dump(mode="json") == document)

    def known_ids(self) -> set[str]:
        """Every flow's ID and other IDs: what links may name."""
        with self._database.engine.connect() as connection:
            ids = set(connection.execute(select(flows.c.id)).scalars())
            return ids | set(connection.execute(select(flow_aliases.c.alias)).scalars())

    def list(self) -> list[SavedFlow]:
        with self._database.engine.connect() as connection:
            rows = connection.execute(_saved_flows().order_by(flows.c.name, flows.c.id)).all()
        return [_saved(row) for row in rows]

    def get(self, flow_id: str) -> SavedFlow:
        with self._database.engine.connect() as connection:
            row = connection.execute(_saved_flows().where(flows.c.id == flow_id)).first()
        if row is None:
            raise FlowNotFoundError(flow_id)
        return _saved(row)

    def published(self, flow_id: str, version: int | None = None) -> PublishedFlow:
        """A published version of the flow: the latest, unless `version` is given. `flow_id`
        may also be one of the flow's other IDs (its aliases)."""
        found = self._version_row(flow_id, version)
        if found is None and (aliased := self._aliased.first(alias=flow_id)) is not None:
            flow_id = aliased[0]
            found = self._version_row(flow_id, version)
        if found is None:
            self.get(flow_id)  # says so when the flow itself does not exist
            problem = (
                f"has no version {version}"
                if version is not None
                else "is not published yet: publish it first"
            )
            raise FlowNotFoundError(flow_id, problem)
        return self.version(found[0])

    def linked_flow(self, reference: str, *, linking: str | None = None) -> Flow | None:
        """The latest published flow a Link to flow block names (by ID or other ID), for its
        checks; None when none is published, or when it is the flow `linking` itself (whose
        draft is what counts)."""
        try:
            published = self.published(reference)
        except FlowNotFoundError:
            return None
        return None if published.flow_id == linking else published.flow

    def _version_row(self, flow_id: str, version: int | None) -> Any:
        if version is None:
            return self._latest_version.first(flow_id=flow_id)
        return self._numbered_version.first(flow_id=flow_id, version=version)

    def version(self, version_id: int) -> PublishedFlow:
        """A published version by its row ID; kept in memory, as versions never change."""
        with self._versions_lock:
            if (cached := self._versions.get(version_id)) is not None:
                self._versions.move_to_end(version_id)
                return cached
        with self._database.engine.connect() as connection:
            row = connection.execute(
                select(flow_versions).where(flow_versions.c.id == version_id)
            ).one()
        try:
            flow = Flow.model_validate(
                orjson.loads(row.document), context=FlowReading(self._registry)
            )
        except ValidationError as error:
            raise SegflowError(
                f'Flow "{row.flow_id}" version {row.version} cannot be read any more '
                f"(was a package of block types removed?): {error}"
            ) from None
        published = self._published(row, flow)
        with self._versions_lock:  # the HTTP API runs turns in several threads
            self._versions[version_id] = published
            if len(self._versions) > _CACHED_VERSIONS:
                self._versions.popitem(last=False)
        return published

    @staticmethod
    def _published(row: Row[Any], flow: Flow) -> PublishedFlow:
        return PublishedFlow(
            id=row.id,
            flow_id=row.flow_id,
            version=row.version,
            flow=flow,
            published_at=row.published_at,
        )


class PublishedLinks:
    """The published flows a chat's Link to flow blocks lead to (`FlowLinks`), from `home`,
    the version the chat started on."""

    def __init__(self, flows: Flows, home: PublishedVersion) -> None:
        self._flows = flows
        self._home = home

    @property
    def home(self) -> PublishedVersion:
        return self._home

    def latest(self, flow: str) -> PublishedFlow:
        return self._flows.published(flow)

    def version(self, version_id: int) -> PublishedFlow:
        return self._flows.version(version_id)


def _saved_flows() -> Select[Any]:
    latest = (
        select(func.max(flow_versions.c.version))
        .where(flow_versions.c.flow_id == flows.c.id)
        .scalar_subquery()
    )
    return select(flows, latest.label("published_version"))


def _saved(row: Row[Any]) -> SavedFlow:
    return SavedFlow(
        id=row.id,
        name=row.name,
        draft=orjson.loads(row.draft),
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_version=row.published_version,
        revision=row.revision,
        source_file=row.source_file,
    )


def _source_file(file: Path) -> str:
    return str(file.resolve())[-1000:]  # the file's own name is at the end


def _conflict(connection: Connection, flow_id: str, base_revision: int | None) -> SegflowError:
    current = connection.execute(
        select(flows.c.revision, flows.c.updated_at).where(flows.c.id == flow_id)
    ).first()
    if current is None or base_revision is None:  # deleted meanwhile
        return FlowNotFoundError(flow_id)
    return DraftConflictError(flow_id, base_revision, current.revision, current.updated_at)


def flow_id_for(name: str) -> str:
    """The flow ID a name makes: "Lead capture" → lead-capture."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:90].strip("-") or "flow"


def _aliases_in(document: Mapping[str, Any]) -> list[str]:
    """The draft's other IDs that can be claimed; a malformed one is a problem of the flow,
    which its checks report (and publishing refuses)."""
    aliases = document.get("aliases")
    if not isinstance(aliases, list):
        return []
    valid = (a for a in aliases if isinstance(a, str) and re.fullmatch(ALIAS_PATTERN, a))
    return list(dict.fromkeys(valid))


def _refuse_alias_as_id(connection: Connection, flow_id: str) -> None:
    holder = connection.execute(
        select(flow_aliases.c.flow_id).where(flow_aliases.c.alias == flow_id)
    ).scalar()
    if holder is not None and holder != flow_id:
        raise FlowIdTakenError(
            f'There cannot be a flow "{flow_id}": flow "{holder}" already answers to '
            f'"{flow_id}" (one of its other IDs)'
        )


def _claim_aliases(connection: Connection, flow_id: str, name: str, aliases: list[str]) -> None:
    """Makes `aliases` the flow's other IDs; refuses one another flow has, as ID or alias."""
    wanted = [alias for alias in aliases if alias != flow_id]
    cannot = f'Flow "{name}" cannot also answer to'
    if wanted:
        held = dict(
            connection.execute(
                select(flow_aliases.c.alias, flow_aliases.c.flow_id).where(
                    flow_aliases.c.alias.in_(wanted), flow_aliases.c.flow_id != flow_id
                )
            ).all()
        )
        named = set(connection.execute(select(flows.c.id).where(flows.c.id.in_(wanted))).scalars())
        for alias in wanted:  # the first one listed (a Typebot's publicId) is named first
            if alias in held:
                raise FlowIdTakenError(
                    f'{cannot} "{alias}": flow "{held[alias]}" already does (were both '
                    f'imported from the same Typebot?). Remove "{alias}" from the other IDs '
                    "(aliases) of one of them"
                )
            if alias in named:
                raise FlowIdTakenError(
                    f'{cannot} "{alias}": that is the ID of flow "{alias}". Remove "{alias}" '
                    "from its other IDs (aliases)"
                )
    connection.execute(delete(flow_aliases).where(flow_aliases.c.flow_id == flow_id))
    if wanted:
        try:
            connection.execute(
                insert(flow_aliases), [{"alias": a, "flow_id": flow_id} for a in wanted]
            )
        except IntegrityError:
            listed = ", ".join(f'"{alias}"' for alias in wanted)
            raise FlowIdTakenError(
                f"{cannot} {listed}: another flow claimed one of them at the same moment"
            ) from None


def _free_id(name: str, taken: set[str]) -> str:
    base = flow_id_for(name)
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
