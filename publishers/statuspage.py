"""The status page publisher: a static site in HERALD_SITE_DIR that any static host can serve.

Each delivery rewrites, atomically, only what its incident touches (see publishers.site.builder);
`herald site build` rewrites everything. The site is read back from the database at publish time, so
a late or retried delivery always writes the current truth, never a stale event.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import TemplateError

from bot.models import utcnow
from bot.templating import render
from bot.views import Event, ThreadView
from publishers.base import Publisher, PublisherContext, PublishError, Receipt, Rendered
from publishers.site.builder import Builder


class StatuspagePublisher(Publisher):
    """Writes the public status site."""

    name = "statuspage"
    label = "Status page"

    def __init__(self, context: PublisherContext) -> None:
        super().__init__(context)
        self._builder: Builder | None = None

    @property
    def builder(self) -> Builder:
        """The site builder (needs the context's session factory)."""
        if self._builder is None:
            if self.context.sessions is None:
                raise PublishError("the status page needs a database session factory", retryable=False)
            self._builder = Builder(config=self.context.config, env=self.context.templates,
                                    sessions=self.context.sessions)
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
        return Receipt(external_id=f"{event.incident.id}/{event.update.number}/{event.revision}",
                       url=event.incident.url)

    def refresh(self, incident_id: int, now: datetime | None = None) -> int:
        """Rewrite what incident `incident_id` touches (also after another channel records its thread)."""
        try:
            return self.builder.refresh(incident_id, now or utcnow())
        except OSError as exc:
            raise PublishError(f"cannot write the status site: {exc}", retryable=True) from exc
        except TemplateError as exc:
            raise PublishError(f"a status page template failed: {exc}", retryable=False) from exc

    def build(self, now: datetime | None = None, *, jobs: int = 1) -> int:
        """Rewrite the whole site from the database (also daily, so The Past moves on a quiet day).

        `jobs` > 1 forks that many renderers: only from a single-threaded process (`herald site build`).
        """
        return self.builder.build(now or utcnow(), jobs=jobs)
