"""How the editor API answers errors: `{"message": …, "problems": […]}` with a fitting status.

A router cannot register exception handlers (only an app can), so the editor's routes use
`EditorRoute`, which turns segflow's errors into answers wherever the app is assembled.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from segflow.chat import ChatSessionConflictError, DraftConflictError, NotFoundError
from segflow.editor.auth import EditorAuthError
from segflow.editor.problems import problem_json
from segflow.errors import DestinationError, SegflowError
from segflow.flow import FlowProblem


class DraftProblemsError(SegflowError):
    """A flow document has problems, each with its place (422)."""

    def __init__(self, problems: Sequence[FlowProblem], summary: str = "The flow") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{summary} has {count} problem{'' if count == 1 else 's'}")


def error_answer(error: SegflowError) -> JSONResponse:
    body: dict[str, object] = {"message": str(error)}
    if isinstance(error, DraftProblemsError):
        body["problems"] = [problem_json(problem) for problem in error.problems]
    if isinstance(error, DraftConflictError):
        body |= {"revision": error.revision, "savedAt": error.saved_at}
    return JSONResponse(body, status_code=_status(error))


def _status(error: SegflowError) -> int:
    if isinstance(error, EditorAuthError):
        return 401
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, DraftConflictError | ChatSessionConflictError):
        return 409
    if isinstance(error, DraftProblemsError | DestinationError):
        return 422
    return 400


class EditorRoute(APIRoute):
    """A route whose segflow errors (auth included) become editor answers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SegflowError as error:
                return error_answer(error)

        return answer
