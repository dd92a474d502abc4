"""`python -m bench [--quick] [TOPIC …]`: run the registered bench modules, print ONE JSON object.

A bench module is bench/<topic>.py with a `run(quick: bool) -> dict` function returning its figures
(plain JSON values: numbers, strings, lists, dicts); list its name in MODULES below to register it.
`--quick` asks every module for a short run (CI uses it as a smoke test). Progress goes to stderr;
stdout carries only the final JSON object, keyed by topic. Nothing here asserts a time: a module that
raises is reported as {"error": …} and the exit status is 1, so a broken benchmark is noticed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from typing import Any

MODULES: tuple[str, ...] = ("delivery", "site", "ack", "demo", "site_store", "subscribers")


def run_one(name: str, quick: bool) -> dict[str, Any]:
    """Run bench/<name>.py and return its figures, with the wall time it took."""
    started = time.monotonic()
    try:
        figures = dict(importlib.import_module(f"bench.{name}").run(quick))
    except Exception as exc:  # reported in the JSON; the other modules still run
        traceback.print_exc(file=sys.stderr)
        figures = {"error": f"{type(exc).__name__}: {exc}"}
    figures["bench_seconds"] = round(time.monotonic() - started, 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the chosen modules, print their figures as one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a CI smoke test)")
    parser.add_argument("topics", nargs="*", metavar="TOPIC", help=f"run only these ({', '.join(MODULES)})")
    args = parser.parse_args(argv)
    unknown = set(args.topics) - set(MODULES)
    if unknown:
        parser.error(f"unknown topic {', '.join(sorted(unknown))}; known: {', '.join(MODULES)}")
    results: dict[str, Any] = {"quick": args.quick}
    for name in args.topics or MODULES:
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        results[name] = run_one(name, args.quick)
    print(json.dumps(results, indent=2, sort_keys=True, default=str))
    return 1 if any(isinstance(r, dict) and "error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
