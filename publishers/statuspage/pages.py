"""Rendering the site's pages and feeds from templates/site/ (every time through the one formatter)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from jinja2 import Environment

from bot.domain.snapshots import ComponentView, IncidentView
from bot.text.sanitize import xml_safe
from bot.text.zones import zones_json
from publishers.statuspage.bars import Bar
from publishers.statuspage.days import Span
from publishers.statuspage.prose import fast_markdown

ASSETS = ("site.css", "tz.js")  # templates/site/static/<name> → /assets/<stem>.<content hash><suffix>
FEED_SIZE = 25  # entries per feed, as Statuspage's


@dataclass(frozen=True)
class SiteInfo:
    """What every page template gets as `site`."""

    name: str
    url: str
    zone: str
    clock: int
    assets: dict[str, str] = field(default_factory=dict)  # name (`site.css`) → hashed site path
    threads: dict[str, str] = field(default_factory=dict)  # channels with public threads → "Forum thread"…

    @property
    def path(self) -> str:
        """The site's path on its host, ending in `/` (`/`, or `/status/` under a prefix): for pages
        that can be served at any depth, such as 404.html."""
        return urlsplit(self.url).path.rstrip("/") + "/"

    @property
    def host(self) -> str:
        """The public host, for feed ids (`tag:<host>,2005:Incident/<n>`)."""
        return urlsplit(self.url).hostname or "localhost"


def site_environment(env: Environment) -> Environment:
    """An overlay of Herald's environment for builds: no per-render freshness checks, memoised Markdown.

    A full build renders thousands of pages and every write repeats the feeds' and the front page's
    bodies; Markdown rendering is pure, so the same text need not be parsed twice.
    """
    overlay = env.overlay(auto_reload=False)
    overlay.filters = dict(env.filters)  # an overlay shares the filter dict; this one must not leak out
    overlay.filters["markdown"] = fast_markdown(env.filters["markdown"])
    return overlay


def assets(env: Environment) -> dict[str, bytes]:
    """The static files by site path, named by a hash of their content (`assets/site.0123456789ab.css`),
    so they can be cached for a year; read through the template loader so an operator's folder can
    override them. With them, the zone abbreviations tz.js fetches when a reader asks for their own zone."""
    found = {}
    for name in ASSETS:
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, f"site/static/{name}")
        found[_hashed(name, source.encode("utf-8"))] = source.encode("utf-8")
    zones = zones_json()
    found[_hashed("zones.json", zones)] = zones
    return found


def _hashed(name: str, data: bytes) -> str:
    """`assets/site.0123456789ab.css`: the site path of an asset named by a hash of its content."""
    stem, dot, suffix = name.rpartition(".")
    return f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:12]}{dot}{suffix}"


def asset_urls(files: dict[str, bytes]) -> dict[str, str]:
    """Each asset's name (`site.css`) → its hashed site path, for the templates' links."""
    urls = {}
    for path in files:
        stem, _hash, suffix = path.rsplit("/", 1)[1].rsplit(".", 2)
        urls[f"{stem}.{suffix}"] = path
    return urls


def not_found_page(env: Environment, site: SiteInfo) -> str:
    """404.html: served for unknown paths at any depth, so its links start at the site's own path."""
    return _render(env, "404.html.j2", site=site, root=site.path)


def badge(env: Environment, site: SiteInfo, indicator: str) -> str:
    """/badge.svg: the overall status as a small image other sites can show (text, not colour alone)."""
    return _render(env, "badge.svg.j2", site=site, indicator=indicator)


def changed_at(i: IncidentView) -> datetime:
    """When the incident or any of its texts last changed."""
    return max([i.updated_at] + [u.edited_at for u in i.updates if u.edited_at])


def incident_path(incident_id: int) -> str:
    """The site path of an incident's page."""
    return f"incidents/{incident_id}/index.html"


def month_path(key: str) -> str:
    """The site path of a month's history page."""
    return f"history/{key}/index.html"


def _render(env: Environment, name: str, **context: object) -> str:
    return xml_safe(env.get_template(f"site/{name}").render(**context))


def thread_links(site: SiteInfo, i: IncidentView) -> list[tuple[str, str]]:
    """(what a reader calls it, URL) of the incident's public threads (forum topic, tweet thread), web links only."""
    found = [(label, i.threads[name].url) for name, label in site.threads.items() if name in i.threads]
    return [(name, url) for name, url in found if url and url.startswith(("https://", "http://"))]


def incident_page(env: Environment, site: SiteInfo, i: IncidentView) -> str:
    """An incident's page: facts, links elsewhere, full timeline with edits."""
    return _render(env, "incident.html.j2", site=site, root="../../", i=i, links=thread_links(site, i))


def _grouped(comps: list[ComponentView]) -> list[tuple[str | None, list[ComponentView]]]:
    """Components in page order, consecutive members of a group together (group None: ungrouped)."""
    groups: dict[str | None, list[ComponentView]] = {}
    for c in comps:
        if c.shown:  # only_show_if_degraded: listed only while not operational
            groups.setdefault(c.group or None, []).append(c)
    return list(groups.items())


def front_page(env: Environment, site: SiteInfo, *, indicator: str, comps: list[ComponentView],
               open_views: list[IncidentView], days: list[tuple[Span, list[IncidentView]]],
               earlier: list[IncidentView], now: datetime, bars: dict[str, Bar] | None = None,
               updated: datetime | None = None) -> str:
    """The front page: banner, The Present, The Future, The Past (and, hidden, the `earlier` incidents a
    reader's own zone may count in its 14 days; tz.js regroups them as of `now`)."""
    active = sorted((i for i in open_views if i.status != "scheduled"), key=lambda i: i.id, reverse=True)
    upcoming = sorted((i for i in open_views if i.status == "scheduled"),
                      key=lambda i: (i.scheduled_for or i.created_at, i.id))
    return _render(env, "index.html.j2", site=site, root="", indicator=indicator, groups=_grouped(comps),
                   active=active, upcoming=upcoming, days=collapsed(days), count=len(days), earlier=earlier,
                   now=now, bars=bars or {}, updated=updated or now)


def collapsed(days: list[tuple[Span, list[IncidentView]]]) -> list[tuple[Span, Span, list[IncidentView]]]:
    """The Past's days, newest first, as (newest day, oldest day, incidents): a day with incidents alone, empty
    days in a row together (one line, "No incidents 2010-09-01 – 2010-09-03")."""
    found: list[tuple[Span, Span, list[IncidentView]]] = []
    for span, members in days:
        if not members and found and not found[-1][2]:
            found[-1] = (found[-1][0], span, [])
        else:
            found.append((span, span, members))
    return found


def month_page(env: Environment, site: SiteInfo, span: Span, views: list[IncidentView],
               around: tuple[str | None, str | None] = (None, None)) -> str:
    """One month of history, newest first, with links to the months before and after that have a page."""
    ordered = sorted(views, key=lambda i: (i.starts or i.created_at, i.id), reverse=True)
    return _render(env, "month.html.j2", site=site, root="../../", month=span, incidents=ordered,
                   previous=around[0], following=around[1])


def history_page(env: Environment, site: SiteInfo, months: list[Span], counts: dict[str, int] | None = None) -> str:
    """The list of months, newest first, each with its count of incidents."""
    return _render(env, "history.html.j2", site=site, root="../", months=months, counts=counts or {})


def feeds(env: Environment, site: SiteInfo, views: list[IncidentView], now: datetime) -> dict[str, str]:
    """`history.atom` and `history.rss`: the most recently changed incidents with their update trails."""
    items = sorted(views, key=lambda i: (changed_at(i), i.id), reverse=True)[:FEED_SIZE]
    updated = max((changed_at(i) for i in items), default=now)
    trail = env.get_template("site/_trail.html.j2").module.trail  # type: ignore[attr-defined]
    context = {"site": site, "items": items, "updated": updated, "changed": changed_at,
               "rfc822": format_datetime, "trails": {i.id: str(trail(i)) for i in items}}
    return {"history.atom": _render(env, "history.atom.j2", **context),
            "history.rss": _render(env, "history.rss.j2", **context)}
