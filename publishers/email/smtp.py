"""The SMTP connection of one batch: HERALD_SMTP_URL is `smtp://user:password@host:587` (STARTTLS) or
`smtps://user:password@host:465` (TLS from the start).

With `smtp://`, STARTTLS is used whenever the server offers it, and required when a password is given:
credentials never cross the wire in clear. Without credentials a plain connection is allowed (a local
relay or a test sink on 127.0.0.1).
"""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import unquote, urlsplit

from bot.plugins.contract import PublishError


def connect(url: str, *, timeout: float) -> smtplib.SMTP:
    """An open, authenticated connection; PublishError (retryable, nothing sent) if it cannot be had."""
    parts = urlsplit(url)
    host, tls = parts.hostname or "localhost", parts.scheme == "smtps"
    port = parts.port or (465 if tls else 587)
    try:
        conn = (smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context()) if tls
                else smtplib.SMTP(host, port, timeout=timeout))
        conn.ehlo()
        if not tls and conn.has_extn("starttls"):
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
            tls = True
        if parts.username:
            if not tls:
                conn.close()
                raise PublishError(f"{host}:{port} offers no STARTTLS: refusing to send the password in clear",
                                   retryable=False)
            conn.login(unquote(parts.username), unquote(parts.password or ""))
    except (smtplib.SMTPException, OSError) as exc:
        raise PublishError(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}", retryable=_retryable(exc)) from None
    return conn


def _retryable(exc: BaseException) -> bool:
    """A refused login (535) is for a person to fix; anything else (down, timeouts, 4xx) may pass."""
    code = getattr(exc, "smtp_code", None)
    return not (isinstance(code, int) and 500 <= code < 600)


def close(conn: smtplib.SMTP) -> None:
    """QUIT, or just close when the server has gone."""
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()
