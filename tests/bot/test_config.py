"""Configuration: one typed object, clear errors naming the variable, secrets hidden."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.errors import ConfigError


def test_defaults_are_sqlite_utc_24h() -> None:
    """With nothing set Herald uses a local SQLite file, UTC and the 24-hour clock."""
    config = load_config({})
    assert config.database_url == "sqlite:///herald.db"
    assert (config.timezone, config.clock) == ("UTC", 24)
    assert config.publishing_open


@pytest.mark.parametrize(("name", "value"), [("HERALD_CLOCK", "13"), ("HERALD_TIMEZONE", "Mars/Olympus"),
                                             ("PORT", "eighty")])
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    """A malformed setting fails at start-up with the variable's name in the message."""
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_secrets_never_show_in_repr() -> None:
    """Tokens and keys are hidden from repr and str."""
    config = load_config({"SLACK_BOT_TOKEN": "xoxb-very-secret", "TWITTER_API_SECRET": "tw-secret",
                          "DISCOURSE_API_KEY": "dk-secret"})
    text = repr(config) + str(config)
    assert "xoxb-very-secret" not in text and "tw-secret" not in text and "dk-secret" not in text
    assert config.slack_bot_token is not None
    assert config.slack_bot_token.get_secret_value() == "xoxb-very-secret"


def test_passwords_in_urls_never_show_in_repr() -> None:
    """The DATABASE_URL password (and one in any other URL setting) is masked in repr and str, and still used."""
    config = load_config({"DATABASE_URL": "postgresql://herald:hunter2@db.example/herald?sslpassword=pem-pw",
                          "DISCOURSE_URL": "https://user:forum-pw@forum.example"})
    text = repr(config) + str(config)
    assert "hunter2" not in text and "forum-pw" not in text and "pem-pw" not in text
    assert "postgresql+psycopg://herald:***@db.example/herald" in text
    assert config.database_url == "postgresql+psycopg://herald:hunter2@db.example/herald?sslpassword=pem-pw"
    assert {"hunter2", "forum-pw", "pem-pw"} <= set(config.secret_values())


def test_lists_and_postgres_urls_are_normalised() -> None:
    """Comma lists become tuples and postgres:// URLs use the psycopg 3 driver."""
    config = load_config({"HERALD_ALLOWED_USERS": "U1, U2", "DATABASE_URL": "postgres://u@h/db"})
    assert config.allowed_users == ("U1", "U2") and not config.publishing_open
    assert config.database_url == "postgresql+psycopg://u@h/db"


def test_dotenv_file_is_read(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A .env file in the working directory provides settings."""
    (tmp_path / ".env").write_text("HERALD_TIMEZONE=Europe/London\nHERALD_CLOCK=12\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HERALD_TIMEZONE", raising=False)
    monkeypatch.delenv("HERALD_CLOCK", raising=False)
    config = load_config()
    assert (config.timezone, config.clock) == ("Europe/London", 12)


@pytest.mark.parametrize(("site", "database", "says"), [
    (".", "sqlite:////srv/herald/herald.db", "is the working folder"),
    ("..", "sqlite:////srv/herald/herald.db", "is a parent of the working folder"),
    ("{tmp}/public", "sqlite:///{tmp}/public/herald.db", "holds the database"),
    ("{tmp}/srv", "sqlite:///{tmp}/srv/data/herald.db", "holds the database"),
])
def test_a_site_folder_that_would_publish_the_database_is_refused(site: str, database: str, says: str,
                                                                  tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """HERALD_SITE_DIR may not be (or hold) the working folder, nor hold the SQLite database."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    env = {"HERALD_SITE_DIR": site.format(tmp=tmp_path), "DATABASE_URL": database.format(tmp=tmp_path)}
    with pytest.raises(ConfigError, match=f"HERALD_SITE_DIR: .*{says}"):
        load_config(env)


def test_a_site_folder_beside_the_database_is_fine(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The usual layout (./site next to ./herald.db), PostgreSQL, and a site on its own are all accepted."""
    monkeypatch.chdir(tmp_path)
    assert load_config({}).site_dir.name == "site"
    assert load_config({"HERALD_SITE_DIR": "/srv/www", "DATABASE_URL": "postgresql://u@h/db"})
    assert load_config({"HERALD_SITE_DIR": str(tmp_path / "site"), "DATABASE_URL": f"sqlite:///{tmp_path}/h.db"})


def test_an_empty_list_setting_counts_as_unset() -> None:
    """`herald worker` names what a lane lacks: an empty HERALD_SITE_MIRRORS is unset, like an empty string."""
    assert load_config({}).unset("HERALD_SITE_MIRRORS") == ["HERALD_SITE_MIRRORS"]
    assert load_config({"HERALD_SITE_MIRRORS": "file:///srv/mirror"}).unset("HERALD_SITE_MIRRORS") == []


@pytest.mark.parametrize(("name", "value"), [("HERALD_MAINTENANCE_REMINDER", "-5"), ("HERALD_MAX_ATTEMPTS", "0"),
                                             ("HERALD_WORKER_POLL", "-1"), ("HERALD_CLAIM_LEASE", "0"),
                                             ("PORT", "-80"), ("WEB_CONCURRENCY", "0"), ("HERALD_WEB_THREADS", "0")])
def test_nonsense_numbers_are_refused_naming_the_variable(name: str, value: str) -> None:
    """A negative duration or a count below one fails at start-up, naming the variable."""
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})
