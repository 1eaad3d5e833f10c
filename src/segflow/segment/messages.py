"""Segment Spec messages: a flow's action, filled in, checked and written as JSON once."""

from __future__ import annotations

import math
import os
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

import orjson

from segflow import __version__
from segflow.errors import SegmentActionError
from segflow.segment.actions import (
    ACTIONS,
    SegmentAction,
)
from segflow.segment.templating import Template
from segflow.segment.values import ObjectTemplate

MAX_MESSAGE_BYTES = 32 * 1024
MAX_MESSAGE_ID_LENGTH = 100
# A chat keeps its User ID in chat_sessions.user_id, which holds this many characters.
MAX_USER_ID_LENGTH = 500

_LIBRARY = {"name": "segflow", "version": __version__}
_ACTION_NAMES: dict[str, str] = {
    action.message_type: action.model_fields["action"].default for action in ACTIONS
}
_PAGE_PROPERTIES = ("url", "path", "referrer", "search", "title")
_NO_VARIABLES: Mapping[str, object] = MappingProxyType({})
# A version 4 UUID's variant digit (RFC 4122: binary 10xx) for each random hex digit.
_UUID4_VARIANTS = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}


class SegmentMessage(NamedTuple):
    """One message for Segment; its JSON is written once, when it is built, and never changes.
    A named tuple: a chat turn makes one for each of its Segment blocks."""

    type: str
    message_id: str
    payload: bytes

    def body(self) -> dict[str, Any]:
        """The message as a dict (a fresh copy each call)."""
        result: dict[str, Any] = orjson.loads(self.payload)
        return result


def build_message(
    action: SegmentAction,
    variables: Mapping[str, object] = _NO_VARIABLES,
    *,
    anonymous_id: str | None = None,
    user_id: str | None = None,
    context: Mapping[str, object] | None = None,
    anonymous_visitor: bool = False,
    now: datetime | None = None,
) -> SegmentMessage:
    """The message `action` sends, with its templates filled in from `variables`.

    `anonymous_id` and `user_id` come from the chat session; the action's own values
    win when they fill in non-empty. With `anonymous_visitor`, a Track Event's or Identify
    User's User ID may be empty too, like a Page View's: the Anonymous ID then identifies the
    visitor (chat sessions track visitors before they are identified, and traits may be
    known before a User ID). `context` is the chat's Segment
    context (the visitor's page, browser...): the action's own Context overrides its keys,
    and a Page View's properties default to the page's url, path, referrer, search and title,
    as analytics.js's page() sends them. `now` stamps a message whose action has no Timestamp.
    """
    plan = _plan_of(action)
    text = _ActionText(plan, variables)
    body: dict[str, Any] = {"type": action.message_type}
    match action.message_type:  # a string: cheaper to match than the model's class
        case "identify":
            # A User ID left empty, with none known yet, leaves the visitor to its anonymous ID;
            # one written must fill in (else the chat's known one).
            if text.written("user_id") or user_id or not anonymous_visitor:
                body["userId"] = text.required("user_id", default=user_id)
            traits = text.object("traits")
            if text.written("email"):  # left empty: no email trait; written: it must fill in
                if "email" in traits:
                    raise text.error("traits", 'has "email", which belongs in the Email field')
                traits = {"email": text.required("email"), **traits}
            body["traits"] = traits
        case "alias":
            body["previousId"] = text.required("previous_id")
            body["userId"] = text.required("user_id", default=user_id)
        case "track":
            body["event"] = text.required("event_name")
            if not anonymous_visitor:
                body["userId"] = text.required("user_id", default=user_id)
            body["properties"] = text.object("properties")
        case "page":
            body["name"] = text.required("name")
            if category := text.optional("category"):
                body["category"] = category
            body["properties"] = _page_properties(context) | text.object("properties")
        case "group":
            body["groupId"] = text.required("group_id")
            body["traits"] = text.object("traits")
        case "screen":
            body["name"] = text.required("name")
            body["properties"] = text.object("properties")
    # Page View, Group, Screen (and anonymous Track): the User ID is left out when empty.
    if "userId" not in body and (optional_user_id := text.optional("user_id") or user_id):
        body["userId"] = optional_user_id
    advanced = plan.advanced or _Advanced.read(text)
    if chosen_anonymous_id := advanced.anonymous_id or anonymous_id:
        body["anonymousId"] = chosen_anonymous_id
    if advanced.integrations is not None:
        body["integrations"] = advanced.integrations
    return _seal(
        action.action,
        body,
        message_id=advanced.message_id,
        timestamp=advanced.timestamp,
        context={**(context or {}), **(advanced.context or {})},
        now=now,
    )


def _page_properties(context: Mapping[str, object] | None) -> dict[str, Any]:
    page = (context or {}).get("page")
    if not isinstance(page, Mapping):
        return {}
    return {key: page[key] for key in _PAGE_PROPERTIES if page.get(key) is not None}


def message_from_body(body: Mapping[str, Any], *, now: datetime | None = None) -> SegmentMessage:
    """A message from a Spec-shaped dict, stamped with whatever it lacks; `body` is not changed.

    It gets a messageId, a timestamp (`now`) and context.library when missing, and the
    same identity and size checks as `build_message`.
    """
    message_type = body.get("type")
    action = _ACTION_NAMES.get(message_type) if isinstance(message_type, str) else None
    if action is None:
        known = ", ".join(_ACTION_NAMES)
        raise SegmentActionError(
            "Segment message", "type", f"must be one of {known}, not {message_type!r}"
        )
    context = body.get("context") or {}
    if not isinstance(context, Mapping):
        raise SegmentActionError(action, "Context", f"is not a JSON object: {context!r}")
    return _seal(
        action,
        dict(body),
        message_id=body.get("messageId"),
        timestamp=body.get("timestamp"),
        context=context,
        now=now,
    )


def _seal(
    action: str,
    body: dict[str, Any],
    *,
    message_id: object,
    timestamp: object,
    context: Mapping[str, Any],
    now: datetime | None,
) -> SegmentMessage:
    """Stamps messageId, timestamp and context.library, checks identity and size, writes JSON."""
    if not (body.get("userId") or body.get("anonymousId")):
        raise SegmentActionError(
            action,
            "the message",
            "has neither a User ID nor an Anonymous ID; Segment drops such messages",
        )
    user_id = body.get("userId")
    if isinstance(user_id, str) and len(user_id) > MAX_USER_ID_LENGTH:
        raise SegmentActionError(
            action,
            "User ID",
            f"is {len(user_id):,} characters long; segflow keeps at most {MAX_USER_ID_LENGTH}",
        )
    body["messageId"] = _message_id(action, message_id)
    body["timestamp"] = _timestamp(action, timestamp, now)
    body["context"] = {**context, "library": _LIBRARY}
    try:
        payload = orjson.dumps(body)
    except orjson.JSONEncodeError as exc:
        problem = f"cannot be written as JSON: {exc}"
        raise SegmentActionError(action, "the message", problem) from None
    if len(payload) > MAX_MESSAGE_BYTES:
        size = math.ceil(len(payload) * 10 / 1024) / 10  # rounded up: 32 KB + 1 byte is 32.1 KB
        limit = MAX_MESSAGE_BYTES // 1024
        raise SegmentActionError(
            action,
            "the message",
            f"is {size:.1f} KB; Segment accepts at most {limit} KB per message",
        )
    return SegmentMessage(body["type"], body["messageId"], payload)


def _message_id(action: str, given: object) -> str:
    if given is None or given == "":
        return _fresh_message_id()
    if not isinstance(given, str):
        raise SegmentActionError(action, "Message ID", f"is not text: {given!r}")
    if len(given) > MAX_MESSAGE_ID_LENGTH:
        raise SegmentActionError(
            action,
            "Message ID",
            f"is {len(given)} characters long; Segment accepts at most {MAX_MESSAGE_ID_LENGTH}",
        )
    return given


def _fresh_message_id() -> str:
    """A random (version 4) UUID, written as `str(uuid.uuid4())` writes it, for less: taken
    from IDs made MESSAGE_IDS_AT_ONCE at a time, from one read of the system's random source."""
    global _message_ids
    try:
        return next(_message_ids)  # atomic: two threads never take the same ID
    except StopIteration:
        _message_ids = iter(_new_message_ids(MESSAGE_IDS_AT_ONCE))
        return next(_message_ids)


def _new_message_ids(count: int) -> list[str]:
    """`count` UUIDs: 32 random hex digits each, of which the version digit is set to 4 and the
    variant digit to one of 8, 9, a, b."""
    digits = os.urandom(16 * count).hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-4{digits[i + 13 : i + 16]}-"
        f"{_UUID4_VARIANTS[digits[i + 16]]}{digits[i + 17 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def _forget_message_ids() -> None:
    """In a forked process: the IDs its parent had made are the parent's to send."""
    global _message_ids
    _message_ids = iter(())


MESSAGE_IDS_AT_ONCE = 256
_message_ids: Iterator[str] = iter(())
os.register_at_fork(after_in_child=_forget_message_ids)


def _timestamp(action: str, given: object, now: datetime | None) -> str:
    """ISO-8601 in UTC with milliseconds, as Segment's own libraries write it."""
    if (given is None or given == "") and now is None:  # the usual case
        return _now_text()
    if given is None or given == "":
        moment = now or datetime.now(UTC)
    elif isinstance(given, str):
        try:
            moment = datetime.fromisoformat(given)
        except ValueError:
            raise SegmentActionError(
                action, "Timestamp", f'is not an ISO-8601 date and time: "{given}"'
            ) from None
    else:
        raise SegmentActionError(action, "Timestamp", f"is not ISO-8601 text: {given!r}")
    if moment.tzinfo is not None:  # without an offset, it is taken to be UTC already
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


# The second `_now_text` last wrote, and how it reads: turns within a second share it.
_second_written: tuple[int, str] = (0, "1970-01-01T00:00:00")


def _now_text() -> str:
    """Now in UTC, as `datetime.now(UTC).isoformat(timespec="milliseconds")` reads it but
    ending in "Z", writing the date and time once a second."""
    global _second_written
    now = time.time()
    second, millisecond = divmod(int(now * 1000), 1000)
    written_second, written = _second_written
    if second != written_second:
        written = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second_written = (second, written)  # one assignment: threads see it whole
    return f"{written}.{millisecond:03d}Z"


class _ActionPlan:
    """An action read once: its templates split and its key/value rows typed, so that each
    message it sends only fills them in. Made at the action's first message (see `_plan_of`)."""

    __slots__ = ("advanced", "fixed", "name", "objects", "templates", "titles")

    def __init__(self, action: SegmentAction) -> None:
        self.name = action.action
        self.templates: dict[str, Template] = {}
        self.fixed: dict[str, str] = {}  # the fields without variables, as they always read
        self.objects: dict[str, ObjectTemplate] = {}
        self.titles: dict[str, str] = {}
        for field, info in type(action).model_fields.items():
            self.titles[field] = info.title or field
            value = getattr(action, field)
            if isinstance(value, str):
                self.templates[field] = Template(value)
                if not self.templates[field].uses_variables:
                    self.fixed[field] = value.strip()
            elif isinstance(value, list):
                self.objects[field] = ObjectTemplate(
                    value, action=self.name, field=self.titles[field]
                )
        # Read once for every message when none uses a variable and each reads well (else
        # each message says what is wrong).
        self.advanced: _Advanced | None = None
        if all(field in self.fixed for field in _Advanced._fields):
            with suppress(SegmentActionError):
                self.advanced = _Advanced.read(_ActionText(self, _NO_VARIABLES))


class _Advanced(NamedTuple):
    """The advanced fields of every action, filled in; they are almost always left empty."""

    anonymous_id: str
    integrations: dict[str, Any] | None
    message_id: str
    timestamp: str
    context: dict[str, Any] | None

    @classmethod
    def read(cls, text: _ActionText) -> _Advanced:
        return cls(
            anonymous_id=text.optional("anonymous_id"),
            integrations=text.json_object("integrations"),
            message_id=text.optional("message_id"),
            timestamp=text.optional("timestamp"),
            context=text.json_object("context"),
        )


# Plans by id() of their action, each with a weak reference to it: actions are pydantic
# models, neither hashable nor frozen. A plan is forgotten when its action is.
_PLANS: dict[int, tuple[weakref.ref[Any], _ActionPlan]] = {}


def _plan_of(action: SegmentAction) -> _ActionPlan:
    """The action's plan, made at its first message: a published flow's actions live as long
    as the flow is cached, so a chat turn's Segment blocks find theirs made."""
    key = id(action)
    found = _PLANS.get(key)
    if found is not None and found[0]() is action:
        return found[1]
    plan = _ActionPlan(action)

    def forget(reference: weakref.ref[Any]) -> None:
        if (current := _PLANS.get(key)) is not None and current[0] is reference:
            del _PLANS[key]

    _PLANS[key] = (weakref.ref(action, forget), plan)
    return plan


class _ActionText:
    """Reads an action's fields with their templates filled in; errors name the field's title."""

    __slots__ = ("plan", "variables")

    def __init__(self, plan: _ActionPlan, variables: Mapping[str, object]) -> None:
        self.plan = plan
        self.variables = variables

    def optional(self, field: str) -> str:
        fixed = self.plan.fixed.get(field)
        if fixed is not None:
            return fixed
        return self.plan.templates[field].fill(self.variables).strip()

    def written(self, field: str) -> bool:
        """Whether the field holds anything before filling in (a template counts)."""
        return bool(self.plan.templates[field].text.strip())

    def required(self, field: str, *, default: str | None = None) -> str:
        """The filled-in value, else `default`, else an error naming the template."""
        if value := self.optional(field) or default:
            return value
        template = self.plan.templates[field]
        if template.uses_variables:
            raise self.error(field, f'is empty after filling in "{template.text}"')
        raise self.error(field, "is empty")

    def object(self, field: str) -> dict[str, Any]:
        return self.plan.objects[field].build(self.variables)

    def json_object(self, field: str) -> dict[str, Any] | None:
        """The field's JSON object, or None when the field is empty."""
        if (text := self.optional(field)) == "":
            return None
        template = self.plan.templates[field]
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            problem = f'is not valid JSON ({exc}): "{text}"'
            raise self.error(field, problem + template.filled_from()) from None
        if not isinstance(value, dict):
            raise self.error(field, f'is not a JSON object: "{text}"' + template.filled_from())
        return value

    def error(self, field: str, problem: str) -> SegmentActionError:
        return SegmentActionError(self.plan.name, self.plan.titles[field], problem)
