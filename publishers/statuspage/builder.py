"""Which files a change touches, written in link order: a page before any page that links to it.

`build` rewrites the whole site from the database; `refresh` rewrites what one incident's change
touches (its page and JSON, its month, the history index, the front page, the feeds and the API), a
count independent of the size of the history. Everything is read in one short session first, then rendered
and written with no transaction open, so a long build never holds up a command.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jinja2 import Environment
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import reading
from bot.domain.snapshots import ComponentView, IncidentView
from bot.plugins.contract import ChannelInfo, Config, SiteStore
from publishers.statuspage import api, days, endpoints, months, pages, parallel
from publishers.statuspage import files as site_files
from publishers.statuspage.bars import Bar, read_bars
from publishers.statuspage.writer import SiteWriter

PAST_DAYS = 14
# A reader who shows times in their own zone sees their own last 14 days, which can begin up to a day before
# the page zone's (more across a clock change): the front page carries those incidents too, hidden.
READER_MARGIN = timedelta(days=PAST_DAYS + 1)
Days = list[tuple[days.Span, list[IncidentView]]]


@dataclass
class SiteData:
    """Everything one write of the site reads from the database."""

    comps: list[ComponentView]
    views: dict[int, IncidentView]
    open_ids: list[int]
    newest: list[int]
    newest_maintenance: list[int]
    feed: list[int]
    past: Days = field(default_factory=list)
    earlier: list[IncidentView] = field(default_factory=list)  # before The Past, within READER_MARGIN
    months: dict[str, list[IncidentView]] = field(default_factory=dict)
    bars: dict[str, Bar] = field(default_factory=dict)  # component → its 90-day uptime bar
    counts: dict[str, int] = field(default_factory=dict)  # month → incidents that began in it

    def pick(self, numbers: Iterable[int]) -> list[IncidentView]:
        """The views of `numbers` that exist."""
        return [self.views[n] for n in numbers if n in self.views]

    @property
    def updated_at(self) -> datetime | None:
        """When anything read last changed (the page's `updated_at`)."""
        changes = [pages.changed_at(v) for v in self.views.values()]
        return max(changes + [c.updated_at for c in self.comps if c.updated_at], default=None)


class Builder:
    """Writes the site for one configuration."""

    def __init__(self, *, config: Config, env: Environment, sessions: sessionmaker[Session], store: SiteStore,
                 channels: dict[str, ChannelInfo] | None = None) -> None:
        self.config, self.env, self.sessions = config, pages.site_environment(env), sessions
        self.channels = channels if channels is not None else {}
        self.writer = SiteWriter(store)
        self.zone, self.public_url = config.timezone, config.public_url

    def site(self) -> pages.SiteInfo:
        """The page-wide template context, with the assets written and versioned."""
        files = pages.assets(self.env)
        for path, data in files.items():
            self.writer.write(path, data)
        threads = {name: info.thread_name or info.label for name, info in self.channels.items() if info.public_thread}
        return pages.SiteInfo(self.config.page_name, self.public_url.rstrip("/"), self.zone,
                              self.config.clock, pages.asset_urls(files), threads)

    @property
    def tweets_from(self) -> str | None:
        """The channel whose post ids are tweet ids, if one is enabled."""
        return next((name for name, info in self.channels.items() if info.tweets), None)

    def build(self, now: datetime, *, jobs: int = 1) -> int:
        """Rewrite every file from the database (incident pages on `jobs` processes); count of changes."""
        before = len(self.writer.written)
        with self.writer.locked(), _collector_paused():
            with self.sessions() as session:
                snap = self._read(session, None, now)
            for view in snap.views.values():
                if view.starts:
                    snap.months.setdefault(days.month_key(view.starts, self.zone), []).append(view)
            site = self.site()

            def write_page(writer: SiteWriter, view: IncidentView) -> None:
                self._write_incident(writer, site, view, snap.comps)

            views = list(snap.views.values())
            if views:  # compile the templates once, before any fork
                write_page(self.writer, views[0])
            parallel.write_pages(write_page, self.writer, views[1:], jobs)
            self._write_all(site, snap, now)
        return len(self.writer.written) - before

    def refresh(self, incident_id: int | None, now: datetime) -> int:
        """Rewrite what a change to incident `incident_id` touches (None: the shared files only, e.g. at
        local midnight so The Past moves on); returns how many files changed."""
        if not self.writer.exists("index.html"):
            return self.build(now)
        before = len(self.writer.written)
        with self.writer.locked():
            with self.sessions() as session:
                snap = self._read(session, set() if incident_id is None else {incident_id}, now)
                view = None if incident_id is None else snap.views.get(incident_id)
                if view is not None and view.starts:
                    key = days.month_key(view.starts, self.zone)
                    # A month's first incident gives its neighbours a new previous/next link: rewrite them too.
                    fresh = not self.writer.exists(pages.month_path(key))
                    wanted = [key, *(months.neighbours(key, self._keys()) if fresh else ())]
                    for span in (days.month(k, self.zone) for k in wanted if k):
                        found = reading.starting_ids(session, span.start, span.end)
                        snap.months[span.key] = list(self._light(session, found).values())
            site = self.site()
            if view is not None:
                self._write_incident(self.writer, site, view, snap.comps)
            self._write_all(site, snap, now)
        return len(self.writer.written) - before

    def _light(self, session: Session, numbers: Iterable[int]) -> dict[int, IncidentView]:
        """List-entry views of `numbers` (no updates)."""
        return reading.incidents(session, public_url=self.public_url, wanted=list(numbers), light=True)

    def _read(self, session: Session, wanted: set[int] | None, now: datetime) -> SiteData:
        """Read the lists every shared file needs, plus `wanted` (every incident when None)."""
        lists = (reading.open_ids(session), reading.newest_ids(session, endpoints.LIMIT),
                 reading.newest_ids(session, endpoints.LIMIT, "maintenance"),
                 reading.recently_updated_ids(session, pages.FEED_SIZE))
        needed = None if wanted is None else wanted.union(*lists)
        views = reading.incidents(session, public_url=self.public_url, wanted=needed, tweets_from=self.tweets_from)
        snap = SiteData(reading.components(session), views, *lists)
        snap.bars = read_bars(session, snap.comps, now=now, zone=self.zone)
        snap.counts = months.counts(reading.incident_starts(session), self.zone)
        spans = days.past_days(now, self.zone, PAST_DAYS)
        numbers = reading.starting_ids(session, min(spans[-1].start, now - READER_MARGIN), spans[0].end)
        # Full views (with updates): The Past shows each incident's latest update.
        found = {**reading.incidents(session, public_url=self.public_url, wanted=[n for n in numbers if n not in views],
                                     tweets_from=self.tweets_from), **views}
        shown = sorted((v for n, v in found.items() if n in numbers and v.status != "scheduled"
                        and v.starts and v.starts <= now), key=lambda v: (v.starts, v.id), reverse=True)
        snap.past = [(span, [v for v in shown if span.holds(v.starts)]) for span in spans]
        snap.earlier = [v for v in shown if v.starts and v.starts < spans[-1].start]
        return snap

    def _write_incident(self, writer: SiteWriter, site: pages.SiteInfo, view: IncidentView,
                        comps: list[ComponentView]) -> None:
        """An incident's page and its `/api/v2/incidents/<id>.json` (page `updated_at`: the incident's own
        last change, so an unchanged incident's file stays byte-identical)."""
        writer.write(pages.incident_path(view.id), pages.incident_page(self.env, site, view))
        info = api.PageInfo(site.name, site.url, self.zone, pages.changed_at(view))
        writer.write(endpoints.incident_path(view.id), _json(api.incident_document(view, info, comps)))

    def _ensure_pages(self, site: pages.SiteInfo, views: Iterable[IncidentView], comps: list[ComponentView]) -> None:
        """Write the page of every linked incident that has none yet, so no link points nowhere."""
        missing = {v.id for v in views if not self.writer.exists(pages.incident_path(v.id))}
        if missing:
            with self.sessions() as session:
                full = reading.incidents(session, public_url=self.public_url, wanted=missing,
                                         tweets_from=self.tweets_from)
            for view in full.values():
                self._write_incident(self.writer, site, view, comps)

    def _write_all(self, site: pages.SiteInfo, snap: SiteData, now: datetime) -> None:
        """Month pages, history index, feeds, API files, then the front page (linked pages first)."""
        keys = set(self._keys()) | set(snap.months)
        for key, members in snap.months.items():
            self._ensure_pages(site, members, snap.comps)
            span = days.month(key, self.zone)
            self.writer.write(pages.month_path(key), pages.month_page(self.env, site, span, members,
                                                                      months.neighbours(key, keys)))
        self.writer.write("history/index.html", pages.history_page(self.env, site, self._months(), snap.counts))
        feed = snap.pick(snap.feed)
        self._ensure_pages(site, feed, snap.comps)
        for path, text in pages.feeds(self.env, site, feed, now).items():
            self.writer.write(path, text)
        open_views = snap.pick(snap.open_ids)
        info = api.PageInfo(site.name, site.url, self.zone, snap.updated_at or now)
        docs = endpoints.documents(info=info, comps=snap.comps, open_views=open_views,
                                   newest=snap.pick(snap.newest),
                                   newest_maintenance=snap.pick(snap.newest_maintenance), bars=snap.bars)
        for path, payload in docs.items():
            self.writer.write(f"api/v2/{path}", _json(payload))
        self._ensure_pages(site, open_views + [v for _, members in snap.past for v in members] + snap.earlier,
                           snap.comps)
        self.writer.write(site_files.NOT_FOUND_PAGE, pages.not_found_page(self.env, site))
        self.writer.write("badge.svg", pages.badge(self.env, site, api.indicator(snap.comps, open_views)))
        self.writer.write("index.html", pages.front_page(
            self.env, site, indicator=api.indicator(snap.comps, open_views), comps=snap.comps,
            open_views=open_views, days=snap.past, earlier=snap.earlier, now=now, bars=snap.bars,
            updated=snap.updated_at))

    def _keys(self) -> list[str]:
        """The months that have a page (`2010-06`)."""
        return [key for key in self.writer.folders("history/") if _is_month(key)]

    def _months(self) -> list[days.Span]:
        """The months that have a page, newest first (so the index never links to a missing one)."""
        return [days.month(key, self.zone) for key in sorted(self._keys(), reverse=True)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a full build allocates (and keeps) many small objects."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _json(payload: object) -> str:
    """A JSON document as the API files carry it: compact, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _is_month(key: str) -> bool:
    """True for a `YYYY-MM` folder name."""
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()
