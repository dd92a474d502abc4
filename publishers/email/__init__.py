"""Email subscribers: a batch of notices over a few SMTP connections, each reused for its share (HERALD_SMTP_URL,
HERALD_MAIL_FROM).

Outcomes, per notice: sent (250); retried on a 4xx or a dropped connection (421 "closing" and a lost
connection end the batch: the rest is retried, unsent); `failed` on a 5xx; the subscriber disabled when
the server says the mailbox does not exist (550, 551, 553). In sandbox mode (`herald demo`) the mails are
written as .eml files under HERALD_SANDBOX_DIR/email/ and listed at /sandbox/mail/ instead.
"""

from __future__ import annotations

import logging
import smtplib
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import Message
from email.policy import compat32

from bot.plugins.contract import Config, Notice, NoticeResult, Notifier, PublishError
from publishers.email import message, sandbox, smtp

WIRE = compat32.clone(linesep="\r\n")  # SMTP's line ends (smtplib sends bytes as they are)
CONNECTIONS = 4  # SMTP connections per batch, each reused for its share
GONE = (550, 551, 553)  # mailbox unavailable, not local, name not allowed: the address is gone
Report = Callable[[NoticeResult], None]
log = logging.getLogger(__name__)


class EmailNotifier(Notifier):
    """Mail through SMTP: a batch over CONNECTIONS connections, each reused for its share."""

    name = "email"
    label = "Email"
    order = 10
    batch_size = 200

    @classmethod
    def configured(cls, config: Config) -> bool:
        """True with HERALD_SMTP_URL and HERALD_MAIL_FROM, or in sandbox mode."""
        return config.mail_configured

    def send_batch(self, notices: Sequence[Notice], report: Report) -> None:
        """Send the batch over CONNECTIONS connections at once (an address's notices in order on one of them):
        a relay's round trips overlap instead of adding up; report each outcome as it is known."""
        config = self.context.config
        if config.sandbox or not config.smtp_url:
            for notice in notices:
                mail = message.build(notice, templates=self.context.templates, config=config)
                sandbox.keep(config, self.context.templates, notice, mail)
                report(NoticeResult(notice.id, sandbox=True))
            return
        shares: list[list[Notice]] = [[] for _ in range(CONNECTIONS)]
        for notice in notices:
            shares[zlib.crc32(notice.address.encode()) % CONNECTIONS].append(notice)
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            for share in shares:
                if share:
                    pool.submit(self._over_one_connection, share, report).add_done_callback(_raised)

    def _over_one_connection(self, notices: list[Notice], report: Report) -> None:
        """Send `notices` in order over one SMTP connection."""
        config = self.context.config
        mails = [(n, message.build(n, templates=self.context.templates, config=config)) for n in notices]
        assert config.smtp_url is not None
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

    def _send_all(self, conn: smtplib.SMTP, mails: list[tuple[Notice, Message]], report: Report) -> None:
        envelope = message.sender(self.context.config)
        for at, (notice, mail) in enumerate(mails):
            result, over = send_one(conn, notice, mail, envelope)
            report(result)
            if over:  # the connection is gone: the rest was not sent and is retried
                rest = PublishError(f"not sent: {result.error.message if result.error else 'connection closed'}",
                                    retryable=True)
                for later, _ in mails[at + 1:]:
                    report(NoticeResult(later.id, rest, untried=True))
                return


def _raised(done: Future[None]) -> None:
    """Log a share that raised (its notices, unreported, are retried by the lane)."""
    if done.exception() is not None:
        log.error("an email share failed: %r", done.exception())


def send_one(conn: smtplib.SMTP, notice: Notice, mail: Message, envelope: str) -> tuple[NoticeResult, bool]:
    """Send one mail from `envelope`; its outcome, and whether the connection is over."""
    try:
        refused = conn.sendmail(envelope, [notice.address], mail.as_bytes(policy=WIRE))
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
