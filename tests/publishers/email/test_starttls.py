"""`smtp://user:password@host:587`: STARTTLS first (the certificate checked), then the login, then the mail."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.config import load_config
from herald.app import create_core
from tests.bot.subscribers import kit
from tests.publishers.email.conftest import FAST_RETRIES, run
from tests.serving import free_port
from tests.support import make_env, need


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class Keeper:
    """Keeps the mails, and who logged in."""

    def __init__(self) -> None:
        self.logins: list[str] = []
        self.mails: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.content)
        return "250 OK"

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
        ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (b"herald", b"s3cret")
        if ok:
            self.logins.append(auth.login.decode())
        return AuthResult(success=ok)


def test_starttls_then_login_then_mail(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server requires STARTTLS before AUTH; Herald upgrades (trusting the test CA), logs in and sends."""
    need("openssl", shutil.which("openssl") is not None, "no openssl command to make a certificate")
    cert, key = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our test certificate, and only it
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    keeper, port = Keeper(), free_port()
    server = Controller(keeper, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                        auth_required=True, auth_require_tls=True, authenticator=keeper)
    server.start()
    try:
        core = create_core(load_config(make_env(database_url, tmp_path, HERALD_MAIL_FROM="status@example.com",
                                                HERALD_SMTP_URL=f"smtp://herald:s3cret@127.0.0.1:{port}",
                                                **FAST_RETRIES)))
        kit.subscribe(core, "ann@example.com")
        run(core, "open Checkout down")
        kit.drain(core)
        assert [r.state for r in kit.rows(core)] == ["sent"]
        core.engine.dispose()
    finally:
        server.stop()
    assert keeper.logins == ["herald"] and len(keeper.mails) == 1 and b"Checkout down" in keeper.mails[0]
