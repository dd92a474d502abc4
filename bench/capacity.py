"""The capacity figure: the highest concurrency at which the ack's p99 stays under 1 s and under 3 s.

`sweep(load)` raises the number of concurrent clients step by step (each client sends its requests back to
back, as people retyping `/incident` during an outage would), stopping after the first level whose p99 is
over 3 s. It also reports the slowest request at c=50 (the target: none over 3 s). Nothing is asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LEVELS = (1, 5, 10, 20, 30, 40, 50, 60, 80)
QUICK_LEVELS = (5, 20, 50)
PER_CLIENT = 10  # requests each client sends at a level (quick: 4)


def sweep(load: Callable[[int, int], dict[str, float]], *, quick: bool) -> dict[str, Any]:
    """Run `load(concurrency, total)` at each level; the p99 per level and the two capacity figures."""
    levels: dict[str, dict[str, float]] = {}
    for c in QUICK_LEVELS if quick else LEVELS:
        levels[f"c{c}"] = load(c, c * (4 if quick else PER_CLIENT))
        if levels[f"c{c}"]["p99_ms"] > 3000:
            break
    under = {limit: max((int(k[1:]) for k, v in levels.items() if v["p99_ms"] < limit), default=0)
             for limit in (1000, 3000)}
    return {"levels": levels, "max_concurrency_p99_under_1s": under[1000],
            "max_concurrency_p99_under_3s": under[3000], "c50_max_ms": levels.get("c50", {}).get("max_ms")}
