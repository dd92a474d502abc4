"""The `site_files` table: the status site as rows, for the `database` site store (bot.store.sites.database).

One row per file: its bytes, the headers it is served with, a strong ETag (the SHA-256 of the bytes, so
every web process sends the same one) and `version`, which grows with every write across the whole
table, so a reader can ask "what changed since version N" (the web processes' caches do). A deleted
file stays as a row without data (a tombstone), so a deletion is a change like any other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.models import Base, utcnow


class SiteFileRow(Base):
    """One file of the status site (or the tombstone of one: `data` is None)."""

    __tablename__ = "site_files"

    path: Mapped[str] = mapped_column(String(512), primary_key=True)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100))
    cache_control: Mapped[str] = mapped_column(String(100))
    etag: Mapped[str] = mapped_column(String(64))  # sha256 hex of data ("" for a tombstone)
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
