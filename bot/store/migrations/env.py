"""Alembic environment: runs Herald's migrations against the URL set by bot.store.db.alembic_config."""

from alembic import context
from sqlalchemy import Connection, pool

from bot.domain.models import Base
from bot.store import site_files  # noqa: F401 (its table is part of the schema Alembic compares)
from bot.store.db import make_engine
from bot.subscribers import models as subscriber_models  # noqa: F401 (its tables join Base.metadata)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
