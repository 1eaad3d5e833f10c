"""Every error the API answers is JSON `{"message": ...}` with a status that says whose it is."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from segflow.api.fields import UNSTORABLE
from segflow.chat import ChatSessionConflictError, NotFoundError
from segflow.errors import SegflowError
from segflow.flow import ChatEndedError

log = logging.getLogger("segflow.api")
EXAMPLE = '{"message": "Ada"}'

# The chat service's errors, most specific first: the first that matches gives the status.
STATUSES: tuple[tuple[type[SegflowError], int], ...] = (
    (NotFoundError, 404),
    (ChatEndedError, 409),
    (ChatSessionConflictError, 409),
    (SegflowError, 500),  # segflow's own setup is wrong (e.g. a flow version it cannot read)
)


def error_response(status: int, message: str) -> Response:
    # A message may quote the request, lone surrogates and all: they are written escaped.
    safe = message.encode("utf-8", "backslashreplace").decode()
    return Response(orjson.dumps({"message": safe}), status, media_type="application/json")


def add_error_answers(app: FastAPI) -> None:
    @app.exception_handler(SegflowError)
    async def refused(_request: Request, error: SegflowError) -> Response:
        status = next(code for kind, code in STATUSES if isinstance(error, kind))
        if status >= 500:
            log.error("%s", error)
        return error_response(status, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> Response:
        return error_response(400, describe_problems(error.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        message = str(error.detail)
        if error.status_code == 400 and isinstance(error.__cause__, ValueError | RecursionError):
            message = unreadable_body(error.__cause__)
        elif error.status_code == 404:
            message = f"No such endpoint: {request.method} {request.url.path}; see /docs"
        elif error.status_code == 405:
            # Starlette sends "Allow"; Headers looks a name up whatever its case.
            allowed = Headers(error.headers or {}).get("allow", "")
            message = f"{request.url.path} does not take {request.method}; use {allowed}"
        response = error_response(error.status_code, message)
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> Response:
        # Logged by the server with its traceback; the caller gets no internals.
        return error_response(500, "segflow failed to answer this request; see the server's log")

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, without the 422 answers it lists by default: ours are 400."""
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            for operations in schema["paths"].values():
                for operation in operations.values():
                    operation["responses"].pop("422", None)
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def describe_problems(errors: Sequence[Any]) -> str:
    """Pydantic's errors in one line, each with the field it is about:
    `message: Field required; prefilledVariable: Extra inputs are not permitted`."""
    return "; ".join(_describe(error) for error in errors)


def unreadable_body(cause: Exception) -> str:
    """Why the request's JSON could not be read, when Python's JSON parser refused it."""
    if isinstance(cause, RecursionError):
        return "The request body is not valid JSON: it nests too deeply"
    if "digits" in str(cause):  # ints of over 4,300 digits (sys.get_int_max_str_digits)
        return "The request body is not valid JSON: it holds a number of too many digits"
    return f"The request body is not valid JSON: {cause}"


def _describe(error: Any) -> str:
    if error["type"] == UNSTORABLE:  # its message names the field already
        return str(error["msg"])
    if error["type"] == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return f"The request body is not valid JSON: {reason}".rstrip(": ")
    where = ".".join(str(part) for part in error["loc"][1:])
    place = {"body": "The request body", "path": "The URL"}.get(error["loc"][0], "The request")
    if error["type"] == "missing" and not where:
        return f"{place} is required"
    if error["type"] == "model_attributes_type" and not where:
        return f"{place} must be a JSON object (Content-Type: application/json), e.g. {EXAMPLE}"
    return f"{where or place}: {error['msg']}"
