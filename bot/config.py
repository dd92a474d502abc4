"""Herald's configuration: one typed, frozen object read once from the environment and `.env`.

Nothing else in Herald reads `os.environ`. A malformed value fails at start-up naming the variable;
secrets are `SecretStr`, and a password inside a URL (DATABASE_URL above all) is masked in repr and
str, so neither shows in a repr or a log line (bot.logs also redacts them from every log record).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import config_values as values
from bot.errors import ConfigError
from bot.masking import mask_url, url_passwords
from bot.plugins.site_store import MirrorTarget
from bot.store.paths import site_dir_problem

log = logging.getLogger(__name__)

CommaList = Annotated[tuple[str, ...], NoDecode]


class Config(BaseSettings):
    """Every setting Herald reads (SPEC §7)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True, populate_by_name=True)

    database_url: str = Field("sqlite:///herald.db", validation_alias="DATABASE_URL")
    timezone: str = Field("UTC", validation_alias="HERALD_TIMEZONE")
    clock: int = Field(24, validation_alias="HERALD_CLOCK")
    locale: Literal["en", "de", "fr", "es", "ja"] = Field("en", validation_alias="HERALD_LOCALE")
    page_name: str = Field("Herald Status", validation_alias="HERALD_PAGE_NAME")
    components: str = Field("app,admin,www", validation_alias="HERALD_COMPONENTS")
    public_url: str = Field("http://127.0.0.1:8000", validation_alias="HERALD_PUBLIC_URL")
    site_dir: Path = Field(Path("site"), validation_alias="HERALD_SITE_DIR")
    site_store: Literal["dir", "database"] | None = Field(None, validation_alias="HERALD_SITE_STORE")
    site_mirrors: CommaList = Field((), validation_alias="HERALD_SITE_MIRRORS")
    sandbox_dir: Path = Field(Path("sandbox"), validation_alias="HERALD_SANDBOX_DIR")
    sandbox: bool = Field(False, validation_alias="HERALD_SANDBOX")
    publishers: CommaList | None = Field(None, validation_alias="HERALD_PUBLISHERS")
    allowed_users: CommaList = Field((), validation_alias="HERALD_ALLOWED_USERS")
    allowed_groups: CommaList = Field((), validation_alias="HERALD_ALLOWED_GROUPS")
    allowed_channels: CommaList = Field((), validation_alias="HERALD_ALLOWED_CHANNELS")
    templates_dir: Path | None = Field(None, validation_alias="HERALD_TEMPLATES_DIR")
    port: int = Field(8000, ge=1, le=65535, validation_alias="PORT")
    web_concurrency: int = Field(1, ge=1, validation_alias="WEB_CONCURRENCY")  # gunicorn worker processes
    web_threads: int = Field(8, ge=1, validation_alias="HERALD_WEB_THREADS")  # threads per web process
    max_attempts: int = Field(8, ge=1, validation_alias="HERALD_MAX_ATTEMPTS")
    claim_lease: float = Field(60.0, gt=0, validation_alias="HERALD_CLAIM_LEASE")  # s; renewed while busy
    retry_base: float = Field(10.0, gt=0, validation_alias="HERALD_RETRY_BASE")  # s, first backoff cap
    retry_cap: float = Field(1800.0, gt=0, validation_alias="HERALD_RETRY_CAP")  # s, longest wait
    publish_timeout: float = Field(15.0, gt=0, validation_alias="HERALD_PUBLISH_TIMEOUT")  # s, per channel request
    worker_concurrency: int = Field(4, ge=1, validation_alias="HERALD_WORKER_CONCURRENCY")  # per publisher
    worker_poll: float = Field(1.0, gt=0, validation_alias="HERALD_WORKER_POLL")  # s, fallback poll
    shutdown_grace: float = Field(20.0, ge=0, validation_alias="HERALD_SHUTDOWN_GRACE")  # s on SIGTERM
    maintenance_reminder_min: int = Field(60, ge=0, validation_alias="HERALD_MAINTENANCE_REMINDER")
    update_cadence: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: {"*": 30}, validation_alias="HERALD_UPDATE_CADENCE")

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_status_channel: str | None = Field(None, validation_alias="HERALD_SLACK_STATUS_CHANNEL")

    twitter_api_key: SecretStr | None = Field(None, validation_alias="TWITTER_API_KEY")
    twitter_api_secret: SecretStr | None = Field(None, validation_alias="TWITTER_API_SECRET")
    twitter_access_token: SecretStr | None = Field(None, validation_alias="TWITTER_ACCESS_TOKEN")
    twitter_access_token_secret: SecretStr | None = Field(
        None, validation_alias="TWITTER_ACCESS_TOKEN_SECRET"
    )
    twitter_api_url: str = Field("https://api.twitter.com", validation_alias="TWITTER_API_URL")

    discourse_url: str | None = Field(None, validation_alias=AliasChoices("DISCOURSE_URL"))
    discourse_api_key: SecretStr | None = Field(None, validation_alias="DISCOURSE_API_KEY")
    discourse_api_username: str | None = Field(None, validation_alias="DISCOURSE_API_USERNAME")
    discourse_category: str | None = Field(None, validation_alias="DISCOURSE_CATEGORY")

    # S3 mirrors: the standard AWS variables (unset, boto3's own chain applies: profiles, instance roles)
    aws_access_key_id: str | None = Field(None, validation_alias="AWS_ACCESS_KEY_ID")
    aws_secret_access_key: SecretStr | None = Field(None, validation_alias="AWS_SECRET_ACCESS_KEY")
    aws_session_token: SecretStr | None = Field(None, validation_alias="AWS_SESSION_TOKEN")
    aws_region: str | None = Field(None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    smtp_url: str | None = Field(None, validation_alias="HERALD_SMTP_URL")  # smtp://user:pass@host:587, smtps://…
    mail_from: str | None = Field(None, validation_alias="HERALD_MAIL_FROM")
    webhook_allow_private: bool = Field(False, validation_alias="HERALD_WEBHOOK_ALLOW_PRIVATE")

    _split_lists = field_validator(
        "publishers", "allowed_users", "allowed_groups", "allowed_channels", "site_mirrors", mode="before"
    )(classmethod(lambda cls, v: None if v is None else values.split_list(v)))

    @field_validator("site_mirrors")
    @classmethod
    def _mirrors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(MirrorTarget.parse(url).url for url in value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones() and value != "UTC":
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/London")
        return value

    @field_validator("site_dir")
    @classmethod
    def _safe_site(cls, value: Path, info: ValidationInfo) -> Path:
        problem = site_dir_problem(value, info.data.get("database_url", ""))
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("update_cadence", mode="before")
    @classmethod
    def _cadence(cls, value: Any) -> Any:
        return values.parse_cadence(value) if isinstance(value, str | int) else value

    _smtp = field_validator("smtp_url")(classmethod(lambda cls, v: values.smtp_url(v)))
    _sender = field_validator("mail_from")(classmethod(lambda cls, v: values.sender(v)))

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: int) -> int:
        if value not in (12, 24):
            raise ValueError("must be 12 or 24")
        return value

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        if not value:  # set but empty, as a platform or a test may leave it: the default
            return "sqlite:///herald.db"
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix):]
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("Herald stores its data in SQLite (sqlite:///path/herald.db) or PostgreSQL "
                             "(postgresql://user@host/db)")
        return value

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """repr and str show URLs with their passwords masked (SecretStr fields mask themselves)."""
        for name, value in super().__repr_args__():
            yield name, mask_url(value) if isinstance(value, str) else value

    def secret_values(self) -> list[str]:
        """Every secret this config holds, as plain text: tokens, keys and passwords inside URLs."""
        found = [v.get_secret_value() for v in self.__dict__.values() if isinstance(v, SecretStr)]
        for value in self.__dict__.values():
            if isinstance(value, str):
                found += [p for p in url_passwords(value) if p]
        return [v for v in found if v]

    @property
    def update_cadence_min(self) -> int:
        """Minutes of silence before Slack is reminded to post an update (the default for every impact)."""
        return self.update_cadence.get("*", 30)

    def cadence_for(self, impact: str) -> int:
        """HERALD_UPDATE_CADENCE for incidents of `impact`, in minutes; 0 means no reminders."""
        return self.update_cadence.get(impact, self.update_cadence_min)

    @property
    def slack_configured(self) -> bool:
        """True when Herald can talk to Slack (token and signing secret, or token and app token)."""
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @property
    def twitter_configured(self) -> bool:
        """True when all four OAuth 1.0a settings are present."""
        keys = (self.twitter_api_key, self.twitter_api_secret, self.twitter_access_token,
                self.twitter_access_token_secret)
        return all(k is not None for k in keys)

    @property
    def discourse_configured(self) -> bool:
        """True when the forum URL, key and user name are present."""
        return bool(self.discourse_url and self.discourse_api_key and self.discourse_api_username)

    @property
    def site_store_kind(self) -> str:
        """HERALD_SITE_STORE, or by default `database` on PostgreSQL (many machines) and `dir` otherwise."""
        return self.site_store or ("database" if self.database_url.startswith("postgresql") else "dir")

    @property
    def mail_configured(self) -> bool:
        """True when Herald can send mail: HERALD_SMTP_URL and HERALD_MAIL_FROM (sandbox mode writes files)."""
        return bool(self.smtp_url and self.mail_from) or self.sandbox

    @property
    def port_given(self) -> bool:
        """True when PORT is set (a platform that routes traffic to us sets it), not the default."""
        return "port" in self.model_fields_set

    def unset(self, *variables: str) -> list[str]:
        """Which of these environment variables (e.g. TWITTER_API_KEY) have no value here."""
        fields = {alias: name for name, info in type(self).model_fields.items() for alias in _aliases(info)}
        return [v for v in variables if getattr(self, fields[v]) in (None, "", ())]

    @property
    def publishing_open(self) -> bool:
        """True when no allow-list is set, so anyone may publish."""
        return not (self.allowed_users or self.allowed_groups or self.allowed_channels)


def _aliases(info: FieldInfo) -> list[str]:
    """The environment variable names a field is read from."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [str(alias)] if alias else []


def load_config(environ: Mapping[str, str] | None = None, *, env_file: str | None = ".env") -> Config:
    """Build the Config from `environ` (default: the process environment and `.env`)."""
    try:
        if environ is None:
            return Config(_env_file=env_file)  # type: ignore[call-arg]
        return Config(_env_file=None, **dict(environ))  # type: ignore[call-arg, arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        lines.append(f"{name}: {err['msg']}")
    return "bad configuration: " + "; ".join(lines)
