"""One notice as an email: multipart text + HTML from templates/email/, threaded, with one-click unsubscribe.

Message-IDs are built from the notification's id, so a mail sent again after a crash carries the same id
(mail clients show it once), and every later mail about an incident names the subscriber's first one in
In-Reply-To and References, so a client shows one conversation per incident. List-Unsubscribe and
List-Unsubscribe-Post (RFC 8058) let the mail client unsubscribe with one POST.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from jinja2 import Environment

from bot.plugins.contract import Config, Notice


def message_id(notice_id: int, config: Config) -> str:
    """`<herald.42@status.example.com>`: the same for every attempt at notice `notice_id`."""
    return f"<herald.{notice_id}@{urlsplit(config.public_url).hostname or 'localhost'}>"


def build(notice: Notice, *, templates: Environment, config: Config, now: datetime | None = None) -> EmailMessage:
    """The mail for `notice` (refuses, with ValueError, any header that would carry a line break)."""
    context = _context(notice, config)
    kind = "confirm" if notice.event is None else "update"
    subject = templates.get_template("email/subject.j2").render(kind=kind, **context)
    mail = EmailMessage()
    mail["From"] = config.mail_from or "herald@localhost"
    mail["To"] = notice.address
    mail["Subject"] = " ".join(subject.split())  # one line, whatever a title held
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = message_id(notice.id, config)
    if notice.thread_root is not None and notice.thread_root != notice.id:
        mail["In-Reply-To"] = mail["References"] = message_id(notice.thread_root, config)
    mail["List-Unsubscribe"] = f"<{notice.unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(templates.get_template(f"email/{kind}.txt.j2").render(**context).strip() + "\n")
    mail.add_alternative(templates.get_template(f"email/{kind}.html.j2").render(**context), subtype="html")
    return mail


def _context(notice: Notice, config: Config) -> dict[str, object]:
    event = notice.event
    return {"notice": notice, "page": config.page_name, "components": notice.components,
            "incident": event.incident if event else None, "update": event.update if event else None}
