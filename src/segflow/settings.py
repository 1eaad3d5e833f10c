"""Where segflow keeps its data and which services it talks to, read from the environment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from segflow.limits import Limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEGFLOW_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: user_data_path("segflow", appauthor=False),
        description="Folder for the embedded database and the secret key file.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the application database; SQLite in `home` if unset.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Fernet keys that encrypt Write Keys at rest, comma-separated, newest "
        "first (the newest encrypts, any decrypts); a key file in `home` if unset.",
    )
    segment_write_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SEGMENT_WRITE_KEY"),
        description="A Write Key in the environment becomes the implicit default destination.",
    )
    segment_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SEGMENT_ENDPOINT"),
        description="Endpoint for SEGMENT_WRITE_KEY: 'us', 'eu' or a Segment-compatible URL.",
    )
    collector_url: str = Field(
        default="http://127.0.0.1:8089",
        description="Where the built-in local collector listens.",
    )
    editor_token: SecretStr | None = Field(
        default=None,
        description="Token the Flow Editor asks for; generated into a file in `home` if unset.",
    )

    cors_origins: str = Field(
        default="*",
        description="Websites (origins, separated by commas) whose pages may use the public "
        "chat API; `*` for any. Never applies to the editor or the collector.",
    )
    send_ip: bool = Field(
        default=True,
        description="Send each chat visitor's IP address to Segment as `context.ip`; with "
        "false, segflow neither sends nor stores it.",
    )
    allowed_hosts: str = Field(
        default="",
        description="Host names (separated by commas; `*` for any) the Flow Editor and the "
        "built-in collector answer to, beyond localhost, 127.0.0.1, [::1] and the address "
        "they are reached at. The public chat API answers to any.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, the chat API's /metrics answers only requests with the header "
        "`Authorization: Bearer <token>`; unset, anyone who reaches the API may read it.",
    )
    delivery_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a batch a sender claimed stays reserved for it (`segflow deliver`, "
        "`serve`'s sender; `--lease` overrides it): if that sender stops on another machine, "
        "its batch is sent again once this runs out. Must exceed the sender's HTTP timeout "
        "(`--timeout`, 15 s).",
    )
    keep_delivered_days: float = Field(
        default=7.0,
        ge=0,
        description="Days a delivered message stays in the outbox (and in its chat's Results) "
        "before the process that delivers deletes it; 0 keeps them forever. Queued and "
        "dead-lettered messages are never deleted by age.",
    )
    keep_results_days: float = Field(
        default=30.0,
        ge=0,
        description="Days a chat is kept, with its transcript, after its last turn, before the "
        "process that delivers deletes it from its flow's Results; 0 keeps chats forever.",
    )
    collector_keep_days: float = Field(
        default=7.0,
        ge=0,
        description="Days the built-in collector keeps the events it received (and its "
        "requests) before deleting them; 0 keeps them forever.",
    )
    one_cpu_per_process: bool = Field(
        default=True,
        description="Keep the process that serves the chat API (`segflow serve`; each of its "
        "--workers while there are CPUs enough) on one CPU, on Linux with two CPUs or more: a "
        "turn's threads then hand their work to each other within one CPU's caches. With "
        "false the system moves them between CPUs as it likes.",
    )
    limits: Limits = Field(
        default_factory=Limits,
        description="What a visitor of a public chat may make segflow do (see segflow.limits).",
    )

    @field_validator("collector_url")
    @classmethod
    def _collector_url_listens_somewhere(cls, url: str) -> str:
        where = urlsplit(url)
        try:
            where.port  # noqa: B018 (raises on a port outside 0-65535)
        except ValueError:
            raise ValueError(f"{url} has a port outside 0-65535") from None
        if where.scheme not in ("http", "https") or not where.hostname:
            raise ValueError(f"{url} is not an http:// URL with a host, e.g. http://127.0.0.1:8089")
        return url

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'segflow.db'}"
