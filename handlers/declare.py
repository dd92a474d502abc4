"""The Declare modal: bare `/incident` opens it; submitting it declares the incident and posts its card."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.domain import service
from bot.domain import vocabulary as v
from bot.text import grammar as g
from bot.text.templating import render
from handlers import forms
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack, BoltContext

    from handlers.context import SlackApp


def open_modal(app: SlackApp, *, trigger_id: str, channel: str | None) -> None:
    """Open the modal at once (its data is local), on the executor that never waits behind slow work."""
    with app.core.sessions() as session:
        names = [c.name for c in service.list_components(session)]
    view = json.loads(render(app.core.templates, "slack/declare_modal.j2", components=names,
                             statuses=v.INCIDENT_STATUSES[:-1], impacts=v.IMPACTS,
                             publishers=app.core.registry.labels(), metadata=json.dumps({"channel": channel})))
    app.soon(lambda: app.client.views_open(trigger_id=trigger_id, view=view))


def submission(app: SlackApp) -> Callable[..., None]:
    """The Declare modal's submit listener bound to `app`."""

    def handle_declare(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Declare from the form; errors come back on the form (see handlers.errors)."""
        found, asker = forms.values(view), context["asker"]
        command = g.Open(title=forms.title(found), message=forms.message(found),
                         components=tuple(g.ComponentChange(name) for name in found.get("components") or ()),
                         impact=found.get("impact"), status=found.get("status"), at=found.get("at"),
                         publish=tuple(found.get("publish") or ()) or None)
        outcome = publish.run(app, command, asker)
        ack()
        confirm(app, user=asker.user, channel=asker.channel, text=publish.reply(app, outcome))

    return handle_declare


def confirm(app: SlackApp, *, user: str, channel: str | None, text: str) -> None:
    """Tell the person, privately and after the response, what their form did."""
    if channel:
        app.later(lambda: app.client.chat_postEphemeral(channel=channel, user=user, text=text))
