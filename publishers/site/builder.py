"""Which files a change touches, written in link order: a page before any page that links to it.

`build` rewrites the whole site from the database; `refresh` rewrites what one incident's change
touches (its page, its month, the history index, the front page, the feeds and the API), a count
independent of the size of the history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.views import ComponentView, IncidentView
from publishers.site import api, days, endpoints, pages, parallel, snapshot
from publishers.site.writer import SiteWriter

PAST_DAYS = 14


@dataclass(frozen=True)
class Snapshot:
    """Everything one write of the site reads from the database."""

    comps: list[ComponentView]
    views: dict[int, IncidentView]
    open_ids: list[int]
    newest: list[int]
    newest_maintenance: list[int]
    feed: list[int]
    updated_at: datetime | None

    def pick(self, numbers: Iterable[int]) -> list[IncidentView]:
        """The views of `numbers` that exist."""
        return [self.views[n] for n in numbers if n in self.views]


class Builder:
    """Writes the site for one configuration."""

    def __init__(self, *, config: Config, env: Environment, sessions: sessionmaker[Session],
                 writer: SiteWriter | None = None) -> None:
        self.config, self.env, self.sessions = config, pages.site_environment(env), sessions
        self.writer = writer or SiteWriter(config.site_dir)
        self.zone = config.timezone

    def site(self) -> pages.SiteInfo:
        """The page-wide template context, with the assets written and versioned."""
        files = pages.assets(self.env)
        for path, data in files.items():
            self.writer.write(path, data)
        return pages.SiteInfo(self.config.page_name, self.config.public_url.rstrip("/"), self.zone,
                              self.config.clock, pages.asset_urls(files))

    def _snapshot(self, session: Session, wanted: set[int] | None) -> Snapshot:
        """Read the lists every shared file needs, plus `wanted` (every incident when None)."""
        lists = (snapshot.open_ids(session), snapshot.newest_ids(session, endpoints.LIMIT),
                 snapshot.newest_ids(session, endpoints.LIMIT, "maintenance"),
                 snapshot.recently_updated_ids(session, pages.FEED_SIZE))
        needed = None if wanted is None else wanted.union(*lists)
        views = snapshot.incidents(session, public_url=self.config.public_url, wanted=needed)
        comps = snapshot.components(session)
        changes = [pages.changed_at(v) for v in views.values()] + [c.updated_at for c in comps if c.updated_at]
        return Snapshot(comps, views, *lists, max(changes, default=None))

    def build(self, now: datetime, *, jobs: int = 1) -> int:
        """Rewrite every file from the database (incident pages on `jobs` processes); count of changes."""
        before = len(self.writer.written)
        with self.writer.locked(), self.sessions() as session:
            snap = self._snapshot(session, None)
            site = self.site()

            def write_page(writer: SiteWriter, view: IncidentView) -> None:
                writer.write(pages.incident_path(view.id), pages.incident_page(self.env, site, view))

            views = list(snap.views.values())
            if views:  # compile the templates once, before any fork
                write_page(self.writer, views[0])
            parallel.write_pages(write_page, self.writer, views[1:], jobs)
            months: dict[str, list[IncidentView]] = {}
            for view in snap.views.values():
                if view.starts:
                    months.setdefault(days.month_key(view.starts, self.zone), []).append(view)
            for key, members in months.items():
                self._write_month(session, site, days.month(key, self.zone), members)
            self._write_shared(session, site, snap, now)
        return len(self.writer.written) - before

    def refresh(self, incident_id: int, now: datetime) -> int:
        """Rewrite what a change to incident `incident_id` touches; returns how many files changed."""
        if not self.writer.exists("index.html"):
            return self.build(now)
        before = len(self.writer.written)
        with self.writer.locked(), self.sessions() as session:
            snap = self._snapshot(session, {incident_id})
            site = self.site()
            view = snap.views.get(incident_id)
            if view is not None:
                self.writer.write(pages.incident_path(view.id), pages.incident_page(self.env, site, view))
                if view.starts:
                    span = days.month(days.month_key(view.starts, self.zone), self.zone)
                    members = snapshot.incidents(session, public_url=self.config.public_url, light=True,
                                                 wanted=snapshot.starting_ids(session, span.start, span.end))
                    self._write_month(session, site, span, list(members.values()))
            self._write_shared(session, site, snap, now)
        return len(self.writer.written) - before

    def _ensure_pages(self, session: Session, site: pages.SiteInfo, views: Iterable[IncidentView]) -> None:
        """Write the page of every linked incident that has none yet, so no link points nowhere."""
        missing = {v.id for v in views if not self.writer.exists(pages.incident_path(v.id))}
        if missing:
            full = snapshot.incidents(session, public_url=self.config.public_url, wanted=missing)
            for view in full.values():
                self.writer.write(pages.incident_path(view.id), pages.incident_page(self.env, site, view))

    def _write_month(self, session: Session, site: pages.SiteInfo, span: days.Span,
                     members: list[IncidentView]) -> None:
        self._ensure_pages(session, site, members)
        self.writer.write(pages.month_path(span.key), pages.month_page(self.env, site, span, members))

    def _write_shared(self, session: Session, site: pages.SiteInfo, snap: Snapshot, now: datetime) -> None:
        """History index, feeds, API files, then the front page (linked pages first)."""
        self.writer.write("history/index.html", pages.history_page(self.env, site, self._months()))
        feed = snap.pick(snap.feed)
        self._ensure_pages(session, site, feed)
        for path, text in pages.feeds(self.env, site, feed, now).items():
            self.writer.write(path, text)
        open_views = snap.pick(snap.open_ids)
        info = api.PageInfo(site.name, site.url, self.zone, snap.updated_at or now)
        docs = endpoints.documents(info=info, comps=snap.comps, open_views=open_views,
                                   newest=snap.pick(snap.newest),
                                   newest_maintenance=snap.pick(snap.newest_maintenance))
        for path, payload in docs.items():
            self.writer.write(f"api/v2/{path}", json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        past = self._past(session, snap, now)
        self._ensure_pages(session, site, open_views + [v for _, members in past for v in members])
        self.writer.write("index.html", pages.front_page(
            self.env, site, indicator=api.indicator(snap.comps, open_views), comps=snap.comps,
            open_views=open_views, days=past))

    def _past(self, session: Session, snap: Snapshot, now: datetime) -> list[tuple[days.Span, list[IncidentView]]]:
        """The last 14 local days with the incidents that began on each (windows yet to start excluded)."""
        spans = days.past_days(now, self.zone, PAST_DAYS)
        numbers = snapshot.starting_ids(session, spans[-1].start, spans[0].end)
        missing = [n for n in numbers if n not in snap.views]
        light = snapshot.incidents(session, public_url=self.config.public_url, wanted=missing, light=True)
        views = snap.pick(numbers) + list(light.values()) if missing else snap.pick(numbers)
        views = [v for v in views if v.status != "scheduled" and v.starts and v.starts <= now]
        ordered = sorted(views, key=lambda v: (v.starts, v.id), reverse=True)
        return [(span, [v for v in ordered if span.holds(v.starts)]) for span in spans]

    def _months(self) -> list[days.Span]:
        """The months that have a page on disk, newest first (so the index never links to a missing one)."""
        folder = self.writer.path("history")
        keys = [p.name for p in folder.iterdir() if p.is_dir() and (p / "index.html").is_file()] \
            if folder.is_dir() else []
        return [days.month(key, self.zone) for key in sorted(keys, reverse=True) if _is_month(key)]


def _is_month(key: str) -> bool:
    """True for a `YYYY-MM` folder name."""
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()
