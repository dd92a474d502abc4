"""Email subscribers: every notice of a batch over one SMTP connection (HERALD_SMTP_URL, HERALD_MAIL_FROM).

Outcomes, per notice: sent (250); retried on a 4xx or a dropped connection (421 "closing" and a lost
connection end the batch: the rest is retried, unsent); `failed` on a 5xx; the subscriber disabled when
the server says the mailbox does not exist (550, 551, 553). In sandbox mode (`herald demo`) the mails are
written as .eml files under HERALD_SANDBOX_DIR/email/ and listed at /sandbox/mail/ instead.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from bot.plugins.contract import Config, Notice, NoticeResult, Notifier, PublishError
from publishers.email import message, sandbox, smtp

GONE = (550, 551, 553)  # mailbox unavailable, not local, name not allowed: the address is gone
Report = Callable[[NoticeResult], None]


class EmailNotifier(Notifier):
    """Mail through SMTP, one connection per batch."""

    name = "email"
    label = "Email"
    order = 10
    batch_size = 200

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True with HERALD_SMTP_URL and HERALD_MAIL_FROM, or in sandbox mode."""
        return config.mail_configured

    def send_batch(self, notices: Sequence[Notice], report: Report) -> None:
        """Send each notice in order over one connection; report each outcome as it is known."""
        config = self.context.config
        mails = [(n, message.build(n, templates=self.context.templates, config=config)) for n in notices]
        if config.sandbox or not config.smtp_url:
            for notice, mail in mails:
                sandbox.keep(config, self.context.templates, notice, mail)
                report(NoticeResult(notice.id, sandbox=True))
            return
        try:
            conn = smtp.connect(config.smtp_url, timeout=config.publish_timeout)
        except PublishError as exc:
            for notice, _ in mails:
                report(NoticeResult(notice.id, exc))
            return
        try:
            self._send_all(conn, mails, report)
        finally:
            smtp.close(conn)

    def _send_all(self, conn: smtplib.SMTP, mails: list[tuple[Notice, EmailMessage]], report: Report) -> None:
        for at, (notice, mail) in enumerate(mails):
            result, over = send_one(conn, notice, mail)
            report(result)
            if over:  # the connection is gone: the rest was not sent and is retried
                rest = PublishError(f"not sent: {result.error.message if result.error else 'connection closed'}",
                                    retryable=True)
                for later, _ in mails[at + 1:]:
                    report(NoticeResult(later.id, rest, untried=True))
                return


def send_one(conn: smtplib.SMTP, notice: Notice, mail: EmailMessage) -> tuple[NoticeResult, bool]:
    """Send one mail; its outcome, and whether the connection is over."""
    try:
        refused = conn.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b"refused"))
        return _refused(notice, code, text), code == 421
    except smtplib.SMTPResponseException as exc:
        return _refused(notice, exc.smtp_code, exc.smtp_error), exc.smtp_code == 421
    except (smtplib.SMTPServerDisconnected, OSError) as exc:  # it may have gone through before the line dropped
        error = PublishError(f"connection lost: {type(exc).__name__}: {exc}", retryable=True, unknown=True)
        return NoticeResult(notice.id, error), True
    if refused:
        code, text = next(iter(refused.values()))
        return _refused(notice, code, text), False
    return NoticeResult(notice.id), False


def _refused(notice: Notice, code: int, text: bytes | str) -> NoticeResult:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    error = PublishError(f"SMTP {code} {said}"[:500], retryable=400 <= code < 500)
    return NoticeResult(notice.id, error, gone=code in GONE)
