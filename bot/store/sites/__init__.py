"""The site stores (bot.plugins.site_store): `dir` (files in HERALD_SITE_DIR) and `database` (`site_files` rows).

`make_store(config, engine)` builds the one HERALD_SITE_STORE names; by default `database` on PostgreSQL
(several web processes on machines of their own) and `dir` otherwise (one machine).
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.config import Config
from bot.plugins.site_store import SiteStore
from bot.store.sites.database import DatabaseStore
from bot.store.sites.dir import DirStore

__all__ = ["DatabaseStore", "DirStore", "make_store"]


def make_store(config: Config, engine: Engine) -> SiteStore:
    """The site store `config` asks for, on `engine` when it is the database."""
    if config.site_store_kind == "database":
        return DatabaseStore(engine)
    return DirStore(config.site_dir)
