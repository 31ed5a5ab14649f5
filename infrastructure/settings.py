"""Settings from the environment, read once at start-up (pydantic-settings)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal
from urllib.parse import parse_qs, unquote, urlparse
from uuid import uuid4
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
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
        ZoneInfo(name)
        return name

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
            env["SQLITE_LOCK_TIMEOUT"] = "30"
            return env
        url = urlparse(self.database_url)
        env.update(
            PERSISTENCE_MODULE=POSTGRES_MODULE,
            POSTGRES_DBNAME=url.path.lstrip("/") or "postgres",
            POSTGRES_HOST=url.hostname or "127.0.0.1",
            POSTGRES_PORT=str(url.port or 5432),
            POSTGRES_USER=unquote(url.username or "postgres"),
            POSTGRES_PASSWORD=unquote(url.password or ""),
            POSTGRES_POOL_SIZE=str(self.pool_size),
            POSTGRES_MAX_OVERFLOW=str(self.pool_size),
            POSTGRES_CONNECT_TIMEOUT="5",
        )
        schema = parse_qs(url.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env

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


TRANSCODER = "infrastructure.transcodings:TongjieTranscoder"
SQLITE_MODULE = "infrastructure.eventstore.sqlite:Factory"
POSTGRES_MODULE = "infrastructure.eventstore.postgres:Factory"
