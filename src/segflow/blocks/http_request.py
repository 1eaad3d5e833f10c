"""The HTTP request block: calls a web address with the chat's values, and keeps parts of the
response in variables.

The block fills in its templates, hands the request to the turn (`BlockContext.send_http`),
maps the response into variables and goes on. When no response comes (refused, timed out,
the network failed) or the status is 400 or more, it takes its failure exit if it has one,
else logs a warning and goes on, as Typebot does. Its logs name the method, the address's
host (its path and query may hold keys) and the status, never the headers or the body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Self
from urllib.parse import urlencode

import orjson
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from segflow.blocks.base import TEMPLATE, VARIABLE, BlockOptions, BlockType, Exit, Step
from segflow.blocks.context import BlockContext
from segflow.blocks.web import HttpRequest, HttpRequestError, HttpResponse
from segflow.segment import as_text, fill, variable_name

MAX_TIMEOUT_SECONDS = 120
_ONE_VARIABLE = re.compile(r"\s*\{\{\s*[^{}\s]+\s*\}\}\s*")
_JSON = "application/json"
_TEXT = "text/plain; charset=utf-8"


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


METHODS_WITHOUT_BODY = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS}


class HttpField(BlockOptions):
    """One header or query parameter; a row whose key or value fills in empty is left out."""

    key: str = Field(title="Key", description="May use {{variables}}.", json_schema_extra=TEMPLATE)
    value: str = Field(
        "", title="Value", description="May use {{variables}}.", json_schema_extra=TEMPLATE
    )


class Header(HttpField):
    model_config = ConfigDict(title="Header")


class QueryParam(HttpField):
    model_config = ConfigDict(title="Parameter")


class ResponseMapping(BlockOptions):
    """One part of the response kept in a variable."""

    model_config = ConfigDict(title="Saved value")

    path: str = Field(
        min_length=1,
        title="Response path",
        description="statusCode, data (the whole body), or a part of it: data.user.id, "
        "data.items[0].name, data.items.length.",
    )
    variable: str = Field(min_length=1, title="Variable", json_schema_extra=VARIABLE)
    _steps: tuple[str | int, ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _readable_path(self) -> Self:
        self._steps = parse_path(self.path)
        return self

    def find(self, response: dict[str, object]) -> object:
        """The part of `{"statusCode": ..., "data": ...}` the path names; raises LookupError."""
        found: object = response
        for step in self._steps:
            found = _step_into(found, step)
        return found


FailureExit = Annotated[
    Exit | None,
    Field(
        title="On failure",
        description="Where the chat goes when the request gets no response or a status of 400 "
        "or more; without it, the chat goes on as after a success.",
        json_schema_extra={"ui": "exit"},
    ),
]


class HttpRequestOptions(BlockOptions):
    """Calls a web address (an API, a webhook) and keeps parts of its response in variables."""

    url: str = Field(
        min_length=1,
        title="URL",
        description="An http:// or https:// address; may use {{variables}}.",
        json_schema_extra=TEMPLATE,
    )
    method: HttpMethod = Field(HttpMethod.GET, title="Method")
    headers: list[Header] = Field(
        default_factory=list,
        title="Headers",
        description="E.g. Authorization: Bearer {{token}}. Never written in the chat's logs.",
    )
    query_params: list[QueryParam] = Field(
        default_factory=list,
        title="Query parameters",
        description="Added to the URL after ?, each filled in and encoded.",
    )
    body: str = Field(
        "",
        title="Body",
        description="Sent with POST, PUT, PATCH and DELETE. Text starting with { or [ is JSON: "
        'values fill in escaped, so "{{name}}" stays valid JSON and {{age}} stays a number.',
        json_schema_extra=TEMPLATE,
    )
    send_variables: bool = Field(
        False,
        title="Send the chat's variables",
        description="Instead of Body, send every variable of the chat as one JSON object.",
    )
    response_mapping: list[ResponseMapping] = Field(
        default_factory=list,
        title="Save in variables",
        description="Parts of the response to keep, also when the status is 400 or more.",
    )
    timeout: float = Field(
        10,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        title="Timeout (seconds)",
        description="How long to wait for the response; at most the http_timeout_seconds setting.",
    )
    failure: FailureExit = None

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        if self.method in METHODS_WITHOUT_BODY and (self.body or self.send_variables):
            raise ValueError(f"a {self.method} request sends no body: remove it or change Method")
        if self.body and self.send_variables:
            raise ValueError("has a Body and Send the chat's variables: keep one")
        return self

    def exits(self) -> list[tuple[str, Exit]]:
        return [("failure", self.failure)] if self.failure else []


def send_request(options: HttpRequestOptions, chat: BlockContext) -> Step:
    url = fill(options.url, chat.variables).strip()
    shown = shown_url(url)
    if not url.lower().startswith(("http://", "https://")):
        what = f'"{url}"' if url else "empty"
        return _failed(options, chat, f"HTTP request: the URL is {what}, not an http(s) address")
    ceiling = chat.limits.http_timeout_seconds
    if options.timeout > ceiling:
        chat.log(
            "warning",
            f"HTTP request: the timeout of {options.timeout:g} seconds is longer than the "
            f"http_timeout_seconds setting allows: it waits {ceiling:g} seconds",
            field="timeout",
        )
    request = HttpRequest(
        method=options.method.value,
        url=_with_query(url, _pairs(options.query_params, chat)),
        headers=_pairs(options.headers, chat),
        timeout=min(options.timeout, ceiling),
    )
    request = _with_body(request, options, chat)
    try:
        response = chat.send_http(request)
    except HttpRequestError as error:
        if chat.semantics == "typebot":  # Typebot maps a made-up response in this case
            _map(options, _typebot_failure(error), chat)
        return _failed(options, chat, f"HTTP request {options.method} {shown}: {error}")
    took = f"{response.status} in {response.seconds * 1000:,.0f} ms"
    _map(options, response, chat)
    if response.status >= 400:
        return _failed(options, chat, f"HTTP request {options.method} {shown}: status {took}")
    chat.log("info", f"HTTP request {options.method} {shown}: status {took}")
    return None


def parse_path(path: str) -> tuple[str | int, ...]:
    """The steps of a response path: `data.items[0].name` gives ("data", "items", 0, "name").

    Raises ValueError, saying what is wrong, for a path it cannot read."""
    steps: list[str | int] = []
    position = 0
    text = path.strip()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or (position == 0 and match.group("name") is None):
            raise ValueError(
                f'Response path "{path}" cannot be read at "{text[position:]}": write it like '
                "data.user.id, data.items[0].name or statusCode"
            )
        name, index, quoted = match.group("name", "index", "quoted")
        index = index or match.group("bracket")
        steps.append(int(index) if index is not None else name if name is not None else quoted)
        position = match.end()
    if not steps or steps[0] not in ("data", "statusCode"):
        raise ValueError(
            f'Response path "{path}" starts with neither data (the response body) nor '
            "statusCode (the status)"
        )
    return tuple(steps)


_STEP = re.compile(
    r"""(?:^|\.)(?P<name>[A-Za-z_$][\w$-]*)"""  # .name (or the first name)
    r"""|(?:\.(?P<index>\d+)|\[\s*(?P<bracket>\d+)\s*\])"""  # .0 or [0]
    r"""|\[\s*(?P<quote>["'])(?P<quoted>.*?)(?P=quote)\s*\]"""  # ["a key"]
)


def shown_url(url: str) -> str:
    """The address as logs show it: its scheme and host only, since its path and query often
    hold keys (a Zapier hook's path is its secret) and a chat's logs reach its chat window."""
    scheme, _, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]  # never a user:password
    return f"{scheme}://{host}" + ("/…" if len(rest) > len(authority) + 1 else "/")


def _step_into(value: object, step: str | int) -> object:
    if isinstance(value, dict) and str(step) in value:
        return value[str(step)]
    if isinstance(value, list) and isinstance(step, int) and step < len(value):
        return value[step]
    if isinstance(value, list | str) and step == "length":
        return len(value)
    raise LookupError(step)


def _pairs(fields: Sequence[HttpField], chat: BlockContext) -> tuple[tuple[str, str], ...]:
    filled = (
        (fill(row.key, chat.variables).strip(), fill(row.value, chat.variables)) for row in fields
    )
    return tuple((key, value) for key, value in filled if key and value)


def _with_query(url: str, params: tuple[tuple[str, str], ...]) -> str:
    if not params:
        return url
    base, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{urlencode(params)}{hash_mark}{fragment}"


def _with_body(
    request: HttpRequest, options: HttpRequestOptions, chat: BlockContext
) -> HttpRequest:
    filled = _filled_body(options, chat)
    if filled is None:
        return request
    body, content_type = filled
    given = next((value for key, value in request.headers if key.lower() == "content-type"), None)
    if given is None:
        headers = (*request.headers, ("Content-Type", content_type))
        return replace(request, headers=headers, body=body)
    if "x-www-form-urlencoded" in given.lower() and content_type == _JSON:
        body = _as_form(body)  # a JSON object under a form's Content-Type goes as that form
    return replace(request, body=body)


def _filled_body(options: HttpRequestOptions, chat: BlockContext) -> tuple[bytes, str] | None:
    """The body to send and its Content-Type, or None for none."""
    if options.send_variables:
        return _as_json(dict(chat.variables)), _JSON
    if not options.body or options.method in METHODS_WITHOUT_BODY:
        return None
    if _ONE_VARIABLE.fullmatch(options.body):
        value = chat.variables.get(variable_name(options.body))
        if isinstance(value, dict | list):
            return _as_json(value), _JSON
        return _text_or_json(as_text(value))
    if options.body.lstrip().startswith(("{", "[")):
        return _text_or_json(fill(options.body, chat.variables, written=_in_json))
    return fill(options.body, chat.variables).encode(), _TEXT


def _as_json(value: object) -> bytes:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)


def _text_or_json(text: str) -> tuple[bytes, str]:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return text.encode(), _TEXT
    return text.encode(), _JSON


def _as_form(body: bytes) -> bytes:
    data = orjson.loads(body)
    if not isinstance(data, dict):
        return body
    return urlencode({key: as_text(value) for key, value in data.items()}).encode()


def _in_json(value: object) -> str:
    """A value as it fills into JSON text: a text escaped (inside the quotes written around
    its placeholder), anything else as JSON; nothing for an unset variable."""
    if value is None:
        return ""
    if isinstance(value, str):
        return orjson.dumps(value).decode()[1:-1]
    return _as_json(value).decode()


def _map(options: HttpRequestOptions, response: HttpResponse, chat: BlockContext) -> None:
    if not options.response_mapping:
        return
    seen = {"statusCode": response.status, "data": response.data()}
    for mapping in options.response_mapping:
        try:
            value = mapping.find(seen)
        except LookupError:
            chat.log(
                "warning",
                f'HTTP request: the response has no "{mapping.path}"; {mapping.variable} is '
                "left unchanged",
                field="responseMapping",
            )
            continue
        chat.set_variable(variable_name(mapping.variable), value)


def _typebot_failure(error: HttpRequestError) -> HttpResponse:
    status = 408 if error.kind == "timeout" else 500
    return HttpResponse(status, orjson.dumps({"message": str(error)}))


def _failed(options: HttpRequestOptions, chat: BlockContext, what: str) -> Step:
    if options.failure is not None:
        chat.log("info", f"{what}; the chat takes the failure exit")
        return options.failure
    chat.log("warning", f"{what}; the block has no failure exit, so the chat goes on")
    return None


HTTP_REQUEST = BlockType(
    name="httpRequest",
    title="HTTP request",
    category="integration",
    options=HttpRequestOptions,
    run=send_request,
    description="Calls a web address and keeps parts of its response in variables.",
)
