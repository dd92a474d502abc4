"""Leasing rows to one worker: the one statement that claims due deliveries and due jobs alike.

A lease names how long the claim holds (`claimed_until`), so a worker killed mid-way holds nothing
forever: once the lease runs out, another worker takes the row. The rows are picked and leased in one
statement — `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id` on PostgreSQL, so
several workers never wait on or take the same row; on SQLite the same UPDATE runs under the BEGIN
IMMEDIATE that bot.store.db issues, which serialises writers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, update
from sqlalchemy.orm import InstrumentedAttribute, Session


def unleased(claimed_until: InstrumentedAttribute[Any], now: datetime) -> ColumnElement[bool]:
    """True for a row nobody holds: never claimed, or its lease has run out."""
    return or_(claimed_until.is_(None), claimed_until <= now)


def lease(session: Session, model: type[Any], due: Select[Any], values: Mapping[str, Any]) -> list[int]:
    """Set `values` (the lease: at least `claimed_until`) on the rows `due` selects (their ids), atomically;
    the ids taken, in order."""
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    taken = session.scalars(
        update(model).where(model.id.in_(due.scalar_subquery())).values(**values)
        .returning(model.id).execution_options(synchronize_session=False))
    return sorted(taken)
