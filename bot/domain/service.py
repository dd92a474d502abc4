"""The incident domain's commands in one place: every function takes a Session, keyword-only arguments,
and runs inside the caller's transaction (bot.domain.incidents, bot.domain.maintenance, bot.domain.queries)."""

from __future__ import annotations

from bot.domain.incidents import declare, edit_update, post_update, reopen, resolve
from bot.domain.maintenance import complete_maintenance, extend_maintenance, schedule_maintenance, start_maintenance
from bot.domain.queries import get_incident, list_components, list_incidents
from bot.domain.writes import FUTURE_SLACK, Changes

__all__ = ["FUTURE_SLACK", "Changes", "complete_maintenance", "declare", "edit_update", "extend_maintenance",
           "get_incident", "list_components", "list_incidents", "post_update", "reopen", "resolve",
           "schedule_maintenance", "start_maintenance"]
