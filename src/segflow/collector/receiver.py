"""Taking in one request to Segment's tracking API: check it, apply faults, record it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import orjson
from sqlalchemy.exc import SQLAlchemyError

from segflow.collector import limits
from segflow.collector.answers import SUCCESS, Answer, ErrorCode, Refusal, error_body
from segflow.collector.auth import check_allowed, find_write_key
from segflow.collector.faults import FaultSwitch
from segflow.collector.messages import SHORT_PATHS, Messages, read_messages
from segflow.collector.storage import (
    EventRow,
    RequestRecord,
    database_problem,
    event_rows,
    save_request,
)
from segflow.store import Database


@dataclass
class Counts:
    """Requests received and events accepted since start; kept even when nothing is stored."""

    requests: int = 0
    events: int = 0


class Receiver:
    """With no database it checks and counts but stores nothing (for benchmarks)."""

    def __init__(
        self,
        *,
        database: Database | None,
        faults: FaultSwitch,
        write_keys: Collection[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.faults = faults
        self.write_keys = write_keys
        self.clock = clock
        self.counts = Counts()
        # One writer: SQLite takes one at a time, and a writer waiting for its lock sleeps.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collector-writer")

    async def receive(
        self,
        endpoint: str,
        raw: bytes,
        *,
        content_encoding: str | None,
        authorization: str | None,
    ) -> Answer:
        """`endpoint` is the path after /v1/: `batch`, a message type, or its first letter."""
        record = RequestRecord(self.clock(), f"/v1/{endpoint}", False, len(raw))
        try:
            record.gzip = limits.is_gzip(content_encoding)
            body = limits.decode_body(raw, compressed=record.gzip)
            record.body_bytes = len(body)
            document = limits.parse_document(body)
            key = find_write_key(authorization, document)
            record.auth, record.write_key_hint = key.form, key.hint
            key = check_allowed(key, self.write_keys)
            record.write_key_hint = key.hint
            messages = read_messages(SHORT_PATHS.get(endpoint, endpoint), document)
            record.events = len(messages.items)
            limits.check_message_sizes(messages.items, body_bytes=len(body))
        except Refusal as refusal:
            return await self._finish(record, refusal.answer)

        plan = self.faults.plan(messages.items, authorization)
        if plan is not None:
            if plan.delay:
                await asyncio.sleep(plan.delay)
            if plan.answer is not None:
                return await self._finish(record, plan.answer)
            if plan.refused:
                kept = [m for m in messages.items if str(m.get("messageId")) not in plan.refused]
                messages = Messages(kept, messages.sent_at)

        overflow = limits.batch_overflow(len(messages.items))
        if overflow is not None:
            rejected = {
                "success": True,
                "code": ErrorCode.TOO_MANY_EVENTS.value,
                "message": overflow,
                "rejected": len(messages.items),
            }
            return await self._finish(record, Answer(200, rejected))
        success = plan.partial_answer if plan is not None and plan.partial_answer else SUCCESS
        if self.database is None:
            return await self._finish(record, success, accepted=len(messages.items))
        rows = event_rows(messages, received_at=record.received_at, write_key_hint=key.hint)
        return await self._finish(record, success, accepted=len(rows), events=rows)

    async def _finish(
        self,
        record: RequestRecord,
        answer: Answer,
        *,
        accepted: int = 0,
        events: list[EventRow] | None = None,
    ) -> Answer:
        record.status = answer.status
        record.answer = orjson.dumps(answer.body).decode()
        if self.database is not None:
            try:
                await asyncio.get_running_loop().run_in_executor(
                    self._writer, save_request, self.database.engine, record, events or []
                )
            except SQLAlchemyError as error:
                problem = f"The collector could not store the request: {database_problem(error)}"
                return Answer(500, error_body(ErrorCode.STORAGE_FAILED, problem))
        self.counts.requests += 1
        self.counts.events += accepted
        return answer
