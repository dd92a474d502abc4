"""`herald demo --no-serve` as a benchmark: the 2010 history replayed through the real path, timed by phase.

Phases: `replay` (151 /incident commands through grammar, domain and outbox), `channels` (a worker
delivering the Twitter, forum and Slack sandbox lanes), `site` (the status page written once and its
deliveries recorded). `--quick` replays the first 8 entries only.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.config import load_config
from herald.demo import load_history, run_demo


def run(quick: bool) -> dict[str, Any]:
    """Replay the history into a fresh folder; the figures of that run."""
    history = load_history()
    if quick:
        history = {**history, "incidents": history["incidents"][:8]}
    with tempfile.TemporaryDirectory(prefix="herald-bench-demo-") as tmp:
        started = time.perf_counter()
        result = run_demo(load_config({}, env_file=None), folder=Path(tmp), port=8000, history=history)
        result["core"].engine.dispose()
        return {"entries": len(history["incidents"]), "commands": result["commands"],
                "deliveries": result["deliveries"], "seconds": round(time.perf_counter() - started, 2),
                "phases": result["phases"]}


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))
