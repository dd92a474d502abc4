"""Sandbox mode: mails are kept as .eml files and listed on /sandbox/mail/ (the demo's SMTP sink)."""

from __future__ import annotations

import os
import tempfile
from email import policy
from email.message import Message
from pathlib import Path

from jinja2 import Environment

from bot.plugins.contract import Config, Notice


def keep(config: Config, templates: Environment, notice: Notice, mail: Message) -> Path:
    """Write `mail` as sandbox/email/<notice id>.eml (once) and refresh the mail page."""
    folder = config.sandbox_dir / "email"
    path = folder / f"{notice.id:08d}.eml"
    _write(path, mail.as_bytes())
    write_page(config, templates)
    return path


def write_page(config: Config, templates: Environment) -> None:
    """site/sandbox/mail/index.html: every kept mail, newest first, as its reader would see it."""
    from email import message_from_bytes  # stdlib parser: only the sandbox page reads mails back

    mails = []
    for path in sorted((config.sandbox_dir / "email").glob("*.eml"), reverse=True)[:200]:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        html = parsed.get_body(("html",))
        text = parsed.get_body(("plain",))
        mails.append({"headers": dict(parsed.items()), "html": html.get_content() if html else "",
                      "text": text.get_content() if text else ""})
    page = templates.get_template("sandbox/mail.html.j2").render(mails=mails, config=config)
    _write(config.site_dir / "sandbox" / "mail" / "index.html", page.encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
