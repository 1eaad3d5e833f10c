"""Who may use the editor: whoever shows its token, as a bearer header or as the cookie that
visiting /editor/?token=… sets. The public chat API is not behind it."""

from __future__ import annotations

import hmac

from fastapi import Request

from segflow.errors import SegflowError

COOKIE_NAME = "segflow_editor_token"
COOKIE_PATH = "/editor"


class EditorAuthError(SegflowError):
    """The request carries no editor token, or a wrong one."""

    def __init__(self) -> None:
        super().__init__(
            "The editor needs its token: open the address `segflow serve` printed "
            "(/editor/?token=…), or send `Authorization: Bearer <token>`"
        )


class EditorAuth:
    def __init__(self, token: str) -> None:
        if not token.strip():
            raise ValueError("The editor token is empty")
        self._token = token.strip()

    def matches(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.strip().encode(), self._token.encode()
        )

    def allows(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and self.matches(credentials):
            return True
        return self.matches(request.cookies.get(COOKIE_NAME))

    def require(self, request: Request) -> None:
        """A FastAPI dependency: refuses the request unless it shows the token."""
        if not self.allows(request):
            raise EditorAuthError()
