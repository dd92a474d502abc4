"""The card's Update button opens the Update modal; submitting it posts the update and edits the card.

The form opens with the incident's status and components already chosen, so a submission counts only
what changed: a status or a set of components equal to what the form was opened with is no change.
With no message and no change it is refused on the form, as the grammar refuses a bare `update ID`,
instead of publishing the default text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.domain import reading, service
from bot.domain import vocabulary as v
from bot.errors import UsageError
from bot.text import grammar as g
from bot.text.templating import render
from handlers import declare, forms
from handlers import run as publish

if TYPE_CHECKING:
    from slack_bolt import Ack, BoltContext

    from handlers.context import SlackApp


def opener(app: SlackApp) -> Callable[..., None]:
    """The Update button's listener bound to `app`."""

    def handle_update_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Open the Update modal, filled with the incident's current status and components."""
        asker = context["asker"]
        asker.require_publisher()
        incident_id, channel = int(action["value"]), asker.channel
        with app.core.reading() as session:
            service.get_incident(session, incident_id)  # NotFound, said on the spot
            incident = reading.incident(session, incident_id, public_url=app.core.config.public_url)
            names = [c.name for c in service.list_components(session)]
        statuses = v.INCIDENT_STATUSES if incident.kind == "incident" else v.MAINTENANCE_STATUSES
        meta = json.dumps({"channel": channel, "incident": incident_id, "status": incident.status,
                           "components": [a.name for a in incident.affected]})
        view = json.loads(render(app.core.templates, "slack/update_modal.j2", i=incident, components=names,
                                 statuses=statuses, component_statuses=v.COMPONENT_STATUSES,
                                 publishers=app.core.registry.labels(), metadata=meta))
        trigger = body["trigger_id"]
        app.soon(lambda: app.client.views_open(trigger_id=trigger, view=view))
        ack()

    return handle_update_button


def submission(app: SlackApp) -> Callable[..., None]:
    """The Update modal's submit listener bound to `app`."""

    def handle_update(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Post the update from the form; the card is edited in place after the response."""
        asker = context["asker"]
        command = command_from(forms.values(view), forms.metadata(view))
        outcome = publish.run(app, command, asker)
        ack()
        declare.confirm(app, user=asker.user, channel=asker.channel, text=publish.reply(app, outcome))

    return handle_update


def command_from(found: dict[str, Any], meta: dict[str, Any]) -> g.Update:
    """The update the form asks for; refused (UsageError, shown on the form) when it says nothing new."""
    status, names = found.get("status"), tuple(found.get("components") or ())
    wanted = found.get("component_status")
    if "status" in meta and status == meta["status"]:
        status = None  # the form's initial choice, left as it was
    if "components" in meta and wanted is None and sorted(names) == sorted(meta["components"]):
        names = ()
    message = forms.message(found)
    if message is None and status is None and not names:
        raise UsageError("the update needs a message, a new status or a component change; nothing was posted",
                         g.USAGE["update"])
    return g.Update(incident=int(meta["incident"]), status=status, message=message,
                    components=tuple(g.ComponentChange(n, wanted) for n in names),
                    at=found.get("at"), publish=tuple(found.get("publish") or ()) or None)
