"""Herald as a wheel: templates, migrations and the demo data travel with the package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_templates_migrations_and_data(tmp_path: Path) -> None:
    """Built as a wheel and installed elsewhere, Herald finds its templates, migrations and 2010 history."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, timeout=240)
    [wheel] = (tmp_path / "dist").glob("herald-*.whl")
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=240)
    probe = ("from bot.text.templating import builtin_templates_dir, make_environment;"
             "from bot.text.times import Clock; from herald.demo import load_history; from bot.store.db import upgrade;"
             "d = builtin_templates_dir(); assert str(d).startswith({!r}), d;"
             "make_environment(Clock()).get_template('site/index.html.j2');"
             "assert len(load_history()['incidents']) == 39;"
             "upgrade('sqlite:///' + {!r}); print('ok')").format(str(target), str(tmp_path / "w.db"))
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")
