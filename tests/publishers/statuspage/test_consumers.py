"""Real Statuspage consumers read Herald's API unchanged: statuspage-prometheus-exporter (MIT), run as its
users run it (`RUN_MODE=once`) against a real `herald serve` on 127.0.0.1.

statuscheck (amureki/statuscheck) reads the same summary.json but pins httpx 0.16 and click 7, which
conflict with Herald's own pins, so it is checked by hand (docs/status-page.md, "Checked consumers").
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain import service
from bot.store import db
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.conftest import NOW, XSS_TITLE, sample
from tests.serving import start_server, stop_server
from tests.support import make_env

EXPORTER = "statuspage_prometheus_exporter"


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """A page with a grouped component down, an incident open, a window running and one scheduled,
    served by `herald serve`; yields its URL and the incident numbers."""
    toml = tmp_path / "components.toml"
    toml.write_text('[[component]]\nname = "app"\ngroup = "Web"\n[[component]]\nname = "www"\ngroup = "Web"\n'
                    '[[component]]\nname = "admin"\n', encoding="utf-8")
    env = make_env(database_url, tmp_path, HERALD_COMPONENTS=str(toml))
    core = create_core(load_config(env))
    numbers = sample(core)
    with db.transaction(core.sessions) as s:
        window = service.schedule_maintenance(s, title="Now", starts=NOW - timedelta(hours=1),
                                              ends=NOW + timedelta(hours=1), changes=[("www", None)],
                                              now=NOW - timedelta(days=1))
        service.start_maintenance(s, incident_id=window.incident_id, now=NOW - timedelta(hours=1))
    numbers["running"] = window.incident_id
    StatuspagePublisher(core.context).build(NOW)
    core.engine.dispose()
    url, process, _log = start_server(env, tmp_path, "--no-worker")
    try:
        yield url, numbers
    finally:
        stop_server(process)


def metrics(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples of one metric in Prometheus text format: (labels, value)."""
    found = []
    for labels, value in re.findall(rf'^{name}\{{(.*)\}} (\S+)$', text, re.M):
        pairs = re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)
        found.append(({k: v.replace('\\"', '"') for k, v in pairs}, float(value)))
    return found


def test_the_prometheus_exporter_reads_incidents_windows_and_components(served: tuple[str, dict[str, int]],
                                                                        tmp_path: Path) -> None:
    """The exporter probes successfully and reports the open incident, both windows and each component."""
    assert importlib.util.find_spec(EXPORTER), "pip install -e '.[test]' installs statuspage-prometheus-exporter"
    url, numbers = served
    work = tmp_path / "exporter"
    work.mkdir()
    (work / "services.json").write_text(json.dumps({"herald": {"url": f"{url}/api/v2/summary.json",
                                                               "name": "Herald"}}), encoding="utf-8")
    env = {**os.environ, "RUN_MODE": "once", "SERVICES_JSON_PATH": "services.json",
           "METRICS_TEXTFILE_PATH": "metrics.prom"}
    run = subprocess.run([sys.executable, "-c", f"from {EXPORTER}.status_monitoring import main; main()"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    text = (work / "metrics.prom").read_text(encoding="utf-8")
    assert metrics(text, "statuspage_probe_check") == [({"service_name": "Herald"}, 1.0)]
    assert metrics(text, "statuspage_service_status") == [({"service_name": "Herald"}, 0.0)]
    (incident,) = metrics(text, "statuspage_incident_info")
    assert incident[0]["incident_id"] == str(numbers["live"]) and incident[0]["impact"] == "major"
    assert incident[0]["incident_name"] == XSS_TITLE and incident[0]["affected_components"] == "app"
    assert incident[0]["shortlink"] == f"https://status.example.test/incidents/{numbers['live']}/"
    windows = {labels["maintenance_id"]: labels for labels, _ in metrics(text, "statuspage_maintenance_info")}
    assert set(windows) == {str(numbers["running"]), str(numbers["window"])}
    assert windows[str(numbers["running"])]["scheduled_start"] == "2010-09-02T08:00:00-07:00"
    components = {labels["component_name"]: value for labels, value in metrics(text, "statuspage_component_status")}
    assert components == {"Web": 0.0, "app": 0.0, "www": 0.0, "admin": 1.0}
