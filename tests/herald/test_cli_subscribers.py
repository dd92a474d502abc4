"""`herald subscribers add|list|remove|export` and the bare count, run in-process on a real database."""

from __future__ import annotations

import csv
import io
import socket

from pytest import MonkeyPatch

from tests.conftest import Run


def test_add_list_count_export_and_remove(run: Run) -> None:
    """Subscribers added from the CLI are listed, counted per channel and component, exported, removed."""
    code, out = run("subscribers", "add", "Ann@Example.com", "-c", "app,www", "--confirmed")
    assert code == 0 and "Subscribed ann@example.com, for app, www." in out
    code, out = run("subscribers", "add", "https://93.184.216.34/herald", HERALD_WEBHOOK_ALLOW_PRIVATE="0")
    assert code == 0 and "whsec_" in out
    code, out = run("subscribers", "list")
    assert "ann@example.com  [app,www]" in out and "https://93.184.216.34/herald  [all]" in out
    code, out = run("subscribers")
    assert code == 0 and "Email      1 active" in out and "Webhooks   1 active" in out
    assert "(every component)  1" in out and "app                1" in out
    code, out = run("subscribers", "export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["address"], r["components"], r["state"]) for r in rows] == [
        ("ann@example.com", "app www", "active"), ("https://93.184.216.34/herald", "all", "active")]
    assert "whsec_" not in out
    code, out = run("subscribers", "remove", "ann@example.com")
    assert code == 0 and "Removed ann@example.com" in out
    assert "ann@example.com" not in run("subscribers", "list")[1]


def test_add_refuses_what_it_cannot_serve(run: Run) -> None:
    """No mail settings: an email address needs --confirmed; a private webhook URL is refused; exit status 1."""
    code, out = run("subscribers", "add", "bob@example.com")
    assert code == 1 and "--confirmed" in out
    code, out = run("subscribers", "add", "http://169.254.169.254/latest")
    assert code == 1 and "link-local" in out
    code, out = run("subscribers", "add", "http://127.0.0.1:9/x")
    assert code == 1 and "private, loopback or link-local" in out
    code, out = run("subscribers", "remove", "nobody@example.com")
    assert code == 1 and "no subscriber" in out
    assert "No one has subscribed yet." in run("subscribers", "list")[1]


def test_adding_an_active_subscriber_again_changes_its_components(run: Run) -> None:
    """As on Statuspage, adding again updates the subscription, and the reply says what it follows now."""
    run("subscribers", "add", "ann@example.com", "-c", "app", "--confirmed")
    code, out = run("subscribers", "add", "ann@example.com", "--confirmed", "-c", "www")
    assert code == 0 and "ann@example.com now follows www (was app)." in out
    assert "ann@example.com  [www]" in run("subscribers", "list")[1]
    code, out = run("subscribers", "add", "ann@example.com", "-c", "www", "--confirmed")
    assert code == 0 and "ann@example.com already follows www: nothing changed." in out
    code, out = run("subscribers", "add", "ann@example.com", "--confirmed")
    assert code == 0 and "ann@example.com now follows every component (was www)." in out
    assert "ann@example.com  [all]" in run("subscribers", "list")[1]
    run("subscribers", "add", "https://93.184.216.34/herald", HERALD_WEBHOOK_ALLOW_PRIVATE="0")
    code, out = run("subscribers", "add", "https://93.184.216.34/herald", "-c", "app,www",
                    HERALD_WEBHOOK_ALLOW_PRIVATE="0")
    assert code == 0 and "now follows app, www (was every component)." in out and "whsec_" not in out


def test_add_checks_components_then_form_then_settings_then_network(run: Run, monkeypatch: MonkeyPatch) -> None:
    """The first refusal is the one to fix first; a malformed address is a usage error (exit status 2)."""
    monkeypatch.setattr(socket, "getaddrinfo", _no_such_host)  # no name resolves, and no lookup leaves the machine
    code, out = run("subscribers", "add", "not-an-email")
    assert code == 2 and "not a valid email address" in out and "mail is not configured" not in out
    code, out = run("subscribers", "add", "ftp://x.example.com/")
    assert code == 2 and "not an http(s) URL" in out and "mail is not configured" not in out
    code, out = run("subscribers", "add", "https://hooks.example.invalid/y", "-c", "serach")
    assert code == 1 and 'unknown component "serach"' in out and "resolved" not in out
    code, out = run("subscribers", "add", "not-an-email", "-c", "serach")
    assert code == 1 and 'unknown component "serach"' in out
    code, out = run("subscribers", "add", "bob@example.com")
    assert code == 1 and "mail is not configured" in out
    code, out = run("subscribers", "add", "https://hooks.example.invalid/y")
    assert code == 1 and "cannot be resolved" in out


def _no_such_host(*args: object, **kwargs: object) -> list[tuple[object, ...]]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_list_rows_line_up(run: Run) -> None:
    """Every row of `subscribers list`, the first too, has its columns in the same places."""
    for address in ("ann@example.com", "bob@example.com"):
        run("subscribers", "add", address, "--confirmed")
    rows = run("subscribers", "list")[1].splitlines()
    assert len(rows) == 2 and rows[0].index("active") == rows[1].index("active") > 0
    assert rows[0].index("ann@") == rows[1].index("bob@")
