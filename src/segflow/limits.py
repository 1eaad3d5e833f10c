"""What a visitor of a public chat may make segflow do: sizes, rates and a turn's budget.

Each limit is a setting (`SEGFLOW_` + its name in capitals, e.g. SEGFLOW_MAX_ANSWER_LENGTH).
The defaults suit a chatbot on a public website; raise one when a flow needs more.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from segflow.errors import SegflowError


class Limits(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEGFLOW_", extra="ignore", frozen=True)

    # -- what a request may carry ----------------------------------------------------------
    max_request_bytes: int = Field(
        64 * 1024, gt=0, description="Largest request body the public chat API reads (413)."
    )
    max_editor_request_bytes: int = Field(
        5 * 1024 * 1024,
        gt=0,
        description="Largest request body the Flow Editor's API reads (413): flow imports and "
        "drafts.",
    )
    max_answer_length: int = Field(
        4_000, gt=0, description="Longest answer, in characters, a chat takes (413)."
    )
    max_variables: int = Field(
        100, gt=0, description="Most prefilled variables one startChat may set (413)."
    )
    max_variable_bytes: int = Field(
        16 * 1024,
        gt=0,
        description="Largest value of one variable, as JSON: prefilled, answered or computed "
        "by Set variable.",
    )
    max_session_bytes: int = Field(
        256 * 1024, gt=0, description="Largest saved state of one chat (its variables), as JSON."
    )
    max_messages_per_turn: int = Field(
        100, gt=0, description="Most bot messages one turn may say before it stops."
    )
    new_chats_per_minute: int = Field(
        60,
        ge=0,
        description="New chats one client IP may start per minute (429 with Retry-After); "
        "0 for no limit.",
    )

    # -- what one turn may cost ------------------------------------------------------------
    max_blocks_per_turn: int = Field(
        500, gt=0, description="Blocks a turn may run without reaching an input (jump loops)."
    )
    max_link_depth: int = Field(
        10,
        gt=0,
        description="Most Link to flow blocks a chat may be inside at once (a link in a linked "
        "group or flow counts one more); past it, the chat stops.",
    )
    regex_timeout: float = Field(
        0.05,
        gt=0,
        description="Seconds (of CPU time) the regular expressions of conditions may run in "
        "one turn, all together (a pattern that backtracks on a long answer).",
    )
    max_wait_seconds: float = Field(
        60,
        ge=0,
        description="Longest pause a Wait block asks the chat window for; longer waits are "
        "shortened to it.",
    )

    # -- what HTTP request blocks may reach ------------------------------------------------
    http_timeout_seconds: float = Field(
        10,
        gt=0,
        description="Longest an HTTP request block waits for its response (a block may ask "
        "for less); the turn, and the thread running it, wait as long.",
    )
    http_max_response_bytes: int = Field(
        1024 * 1024,
        gt=0,
        description="Largest response body an HTTP request block reads; a larger one is a failure.",
    )
    http_max_redirects: int = Field(
        3, ge=0, description="Redirects an HTTP request follows, each checked like the first."
    )
    http_allowed_hosts: str = Field(
        "",
        description="Host names, IP addresses and networks (CIDR), separated by commas, that "
        "HTTP request blocks may reach although they are private, loopback, link-local or "
        "reserved: e.g. `localhost,10.0.0.0/8,crm.internal`. `*.example.com` takes its "
        "subdomains.",
    )
    http_only_allowed_hosts: bool = Field(
        False,
        description="With true, HTTP request blocks reach the hosts of http_allowed_hosts "
        "only, public ones included.",
    )


DEFAULT_LIMITS = Limits.model_construct()
"""The limits as documented, without reading the environment (for code that is given none)."""


def setting_name(limit: str) -> str:
    """The environment variable of a limit: max_variable_bytes -> SEGFLOW_MAX_VARIABLE_BYTES."""
    return f"SEGFLOW_{limit.upper()}"


class LimitExceededError(SegflowError):
    """A chat turn went past one of its limits, so the chat stops there.

    The message says what happened, the limit and its setting: 'Set variable would make "s"
    a value of 32,768 bytes; the limit is 16,384 (SEGFLOW_MAX_VARIABLE_BYTES)'.
    """

    def __init__(self, what: str, limit: str, limits: Limits) -> None:
        self.limit = limit
        value = getattr(limits, limit)
        shown = f"{value:g} seconds" if isinstance(value, float) else f"{value:,}"
        super().__init__(f"{what}; the limit is {shown} ({setting_name(limit)})")
