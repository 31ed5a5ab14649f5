"""Settings from the environment, read once at start-up (pydantic-settings)."""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Literal
from urllib.parse import parse_qs, unquote, urlparse
from uuid import uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONGJIE_", frozen=True)

    database_url: str = Field(
        default="sqlite:///./tongjie.db",
        description="sqlite:///PATH or postgresql://user:password@host:port/db[?schema=S]",
    )
    cipher_key: str | None = Field(
        default=None, description="AES key (base64) to encrypt event payloads at rest"
    )
    timezone: str = Field(default="Asia/Shanghai", description="the bureau's time zone")
    views_replica_url: str | None = Field(
        default=None,
        description=(
            "postgresql://user:password@host:port/db of a hot standby of the same database: "
            "this process reads the views and their positions there (the schema is the "
            "database URL's); writes and case reads stay on the primary"
        ),
    )
    aggregate_cache_size: int = Field(default=10_000, ge=0)
    pool_size: int = Field(default=10, ge=1)
    rate_display: Literal["truncate", "half_up"] = Field(
        default="truncate",
        description="how rates are shown: truncated to two decimals as the bureau publishes "
        "them (99.78%), or rounded half up (99.79%); the API gives exact numbers either way",
    )
    auto_routing: bool = Field(
        default=False,
        description="route each new case that a routing rule matches as it is received, "
        "by the system (`triage`), to the mediator the suggestion names",
    )
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "info"
    port: int = Field(default=8000, ge=0, le=65535, description="`tongjie serve`'s port (0: any)")
    instance: str = Field(
        default_factory=lambda: uuid4().hex[:12],
        description="names one running server (`/healthz`): `tongjie serve` makes one at each "
        "start and hands it to its workers",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            msg = "must be sqlite:///PATH or postgresql://user:password@host:port/db"
            raise ValueError(msg)
        return url

    @field_validator("views_replica_url")
    @classmethod
    def _postgres_replica(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            msg = "must be postgresql://user:password@host:port/db (a hot standby)"
            raise ValueError(msg)
        return url or None

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> Settings:
        if self.views_replica_url is not None and not self.is_postgres:
            msg = "TONGJIE_VIEWS_REPLICA_URL needs TONGJIE_DATABASE_URL on PostgreSQL"
            raise ValueError(msg)
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"{name!r} is no time zone: use an IANA name such as Asia/Shanghai"
            raise ValueError(msg) from None
        return name

    @field_validator("cipher_key")
    @classmethod
    def _aes_key(cls, key: str | None) -> str | None:
        if not key:
            return None
        try:
            size = len(b64decode(key.encode(), validate=True))
        except (binascii.Error, ValueError):
            size = -1
        if size not in (16, 24, 32):
            msg = (
                "not a base64 key of 16, 24 or 32 bytes: make one with "
                '`python -c "from eventsourcing.cipher import AESCipher; '
                'print(AESCipher.create_key(32))"`, or restore the key the store was made with'
            )
            raise ValueError(msg)
        return key

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite:")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")

    def persistence_env(self) -> dict[str, str]:
        """The eventsourcing library's settings that this URL and these options mean."""
        env: dict[str, str] = {"AGGREGATE_CACHE_FASTFORWARD": "y", "TRANSCODER_TOPIC": TRANSCODER}
        if self.aggregate_cache_size > 0:  # the library reads 0 as "unbounded"
            env["AGGREGATE_CACHE_MAXSIZE"] = str(self.aggregate_cache_size)
        if self.cipher_key:
            env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
            env["CIPHER_KEY"] = self.cipher_key
        if not self.is_postgres:
            env["PERSISTENCE_MODULE"] = SQLITE_MODULE
            env["SQLITE_DBNAME"] = self.sqlite_path
            env["SQLITE_LOCK_TIMEOUT"] = str(SQLITE_LOCK_TIMEOUT)
            return env
        url = urlparse(self.database_url)
        env.update(
            PERSISTENCE_MODULE=POSTGRES_MODULE,
            POSTGRES_DBNAME=url.path.lstrip("/") or "postgres",
            POSTGRES_HOST=url.hostname or "127.0.0.1",
            POSTGRES_PORT=str(url.port or 5432),
            POSTGRES_USER=unquote(url.username or "postgres"),
            POSTGRES_PASSWORD=unquote(url.password or ""),
            POSTGRES_POOL_SIZE=str(self.connections.events),
            POSTGRES_MAX_OVERFLOW="0",
            POSTGRES_CONNECT_TIMEOUT="1",  # waiting for a pooled connection (seconds)
        )
        schema = parse_qs(url.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env

    @property
    def connections(self) -> ConnectionBudget:
        """How this process's PostgreSQL connections (`pool_size` in all) are shared out."""
        spare = max(2, self.pool_size - ConnectionBudget.fixed)
        views = max(1, round(spare * 2 / 5))
        return ConnectionBudget(events=spare - views, views=views)

    @property
    def postgres_conninfo(self) -> str:
        """The URL without Tongjie's own query options, for psycopg."""
        return self.database_url.split("?", 1)[0]

    @property
    def replica_conninfo(self) -> str | None:
        """The views' replica without query options (the schema is the primary URL's)."""
        return self.views_replica_url.split("?", 1)[0] if self.views_replica_url else None

    @property
    def postgres_schema(self) -> str:
        return parse_qs(urlparse(self.database_url).query).get("schema", ["public"])[0]


@dataclass(frozen=True)
class ConnectionBudget:
    """A process's PostgreSQL connections: at most `TONGJIE_POOL_SIZE` (from 4 up) in all.

    `events`: the event store's pool (writes, case reads, tokens, the audit); `views`: the
    views' pool (the board's and the statistics' queries, positions); `fixed`: the LISTEN
    connection of the views' position feed and the probe that watches the database
    (infrastructure/reachability.py). `tongjie project` adds one connection per view worker
    and a second LISTEN (docs/operations.md, "Connections")."""

    events: int
    views: int
    fixed: ClassVar[int] = 2

    @property
    def total(self) -> int:
        return self.events + self.views + self.fixed


def describe_invalid(error: ValidationError) -> str:
    """One line naming each bad setting as it is set (`TONGJIE_...`) and what to do."""
    parts = []
    for found in error.errors():
        message = str(found["msg"]).removeprefix("Value error, ")
        if found["loc"]:  # a check of several settings names them itself
            name = "TONGJIE_" + "_".join(str(part) for part in found["loc"]).upper()
            message = f"{name}: {message}"
        parts.append(message)
    return "; ".join(parts).replace("\n", " ")


SQLITE_LOCK_TIMEOUT = 1
"""Seconds a write waits for another process's SQLite write lock before the request is
answered 503 (a group's own transaction holds it for milliseconds)."""
TRANSCODER = "infrastructure.transcodings:TongjieTranscoder"
SQLITE_MODULE = "infrastructure.eventstore.sqlite:Factory"
POSTGRES_MODULE = "infrastructure.eventstore.postgres:Factory"
