"""The status page publisher: a static site in the site store (HERALD_SITE_STORE) that any static host can serve.

Each delivery rewrites, atomically, only what its incident touches (see publishers.statuspage.builder);
`herald site build` rewrites everything. The site is read back from the database at publish time, so
a late or retried delivery always writes the current truth, never a stale event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from jinja2 import TemplateError
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from bot.domain import reading
from bot.domain.snapshots import Event, ThreadView
from bot.plugins.contract import Publisher, PublisherContext, PublishError, Receipt, Rendered
from bot.text.templating import render
from publishers.statuspage import endpoints
from publishers.statuspage.builder import Builder
from publishers.statuspage.pages import incident_path


class StatuspagePublisher(Publisher):
    """Writes the public status site."""

    name = "statuspage"
    label = "Status page"
    always_on = True
    writes_site = True
    order = 0

    def __init__(self, context: PublisherContext) -> None:
        super().__init__(context)
        self._builder: Builder | None = None

    @property
    def builder(self) -> Builder:
        """The site builder (needs the context's session factory)."""
        if self._builder is None:
            if self.context.sessions is None or self.context.site is None:
                raise PublishError("the status page needs a database session factory and a site store",
                                   retryable=False)
            self._builder = Builder(config=self.context.config, env=self.context.templates,
                                    sessions=self.context.sessions, store=self.context.site,
                                    channels=self.context.channels)
        return self._builder

    def render(self, event: Event) -> Rendered:
        """The update as its incident page shows it: plain text, plus the page's HTML in meta."""
        text = render(self.context.templates, "site/preview.j2", event=event)
        fragment = render(self.context.templates, "site/update.html.j2", u=event.update)
        return Rendered(self.name, text, title=event.incident.title,
                        meta={"html": fragment, "url": event.incident.url})

    def publish(self, event: Event, rendered: Rendered, thread: ThreadView | None) -> Receipt:
        """Rewrite the incident's page and everything listing it; the receipt points at its page."""
        self.refresh(event.incident.id)
        return self.receipt(event)

    def receipt(self, event: Event) -> Receipt:
        """What a write of the site that includes `event` answers: the update's key and its page."""
        return Receipt(external_id=f"{event.incident.id}/{event.update.number}/{event.revision}",
                       url=event.incident.url)

    def refresh(self, incident_id: int | None, now: datetime | None = None) -> int:
        """Rewrite what incident `incident_id` touches; None rewrites the front page, feeds and API only
        (a scheduler can call `refresh(None)` after local midnight so The Past moves on a quiet day)."""
        try:
            return self.builder.refresh(incident_id, now or datetime.now(UTC))
        except (OSError, SQLAlchemyError) as exc:
            raise PublishError(f"cannot write the status site: {exc}", retryable=True) from exc
        except TemplateError as exc:
            raise PublishError(f"a status page template failed: {exc}", retryable=False) from exc

    def build(self, now: datetime | None = None, *, jobs: int = 1) -> int:
        """Rewrite the whole site from the database (also daily, so The Past moves on a quiet day).

        `jobs` > 1 forks that many renderers: only from a single-threaded process (`herald site build`).
        """
        return self.builder.build(now or datetime.now(UTC), jobs=jobs)

    def after_delivery(self, incident_id: int) -> None:
        """Another channel recorded a thread or a tweet: put the links and `tweet_id`s on the incident's files."""
        self.add_thread_links(incident_id)

    def new_day(self, now: datetime) -> None:
        """Local midnight: The Past moves on a day even when nothing was published."""
        self.refresh(None, now)

    def add_thread_links(self, incident_id: int) -> bool:
        """Refresh the incident's files when what other channels recorded is not on them yet: a forum or
        tweet thread its page should link to, or a tweet id its JSON should carry (`tweet_id`)."""
        text = self.builder.writer.read_text(incident_path(incident_id))
        if self.context.sessions is None or text is None:
            return False
        linked = [name for name, info in self.context.channels.items() if info.public_thread]
        tweeting = next((name for name, info in self.context.channels.items() if info.tweets), None)
        with self.context.sessions() as session:
            urls = reading.thread_urls(session, incident_id, linked)
            found = reading.tweet_ids(session, [incident_id], tweeting).values() if tweeting else ()
            tweets = {t for t in found if t.isdigit()}
        if all(str(escape(url)) in text for url in urls) and tweets <= self._tweets_shown(incident_id):
            return False
        self.refresh(incident_id)
        return True

    def _tweets_shown(self, incident_id: int) -> set[str]:
        """The tweet ids the incident's JSON carries now."""
        try:
            doc = json.loads(self.builder.writer.read_text(endpoints.incident_path(incident_id)) or "")
        except ValueError:
            return set()
        return {str(u["tweet_id"]) for u in doc["incident"]["incident_updates"] if u.get("tweet_id")}

