"""The repository stands alone: no code, test or benchmark reads the `shared` folder a checkout may sit beside."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"""["'](?:\.\./)*shared(?:/refs)?["']|/shared/refs|parents\[\d\]\s*/\s*["']shared""")


def test_nothing_reads_the_shared_folder() -> None:
    """A newcomer's clone has no ../shared, so no Python file may build a path into it."""
    offenders = []
    for folder in ("bot", "handlers", "publishers", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if OUTSIDE.search(line) and path != Path(__file__).resolve():
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_reference_files_carry_their_licences() -> None:
    """Every reference file copied into tests/ is listed, with its source, in tests/REFERENCE-LICENSES.md."""
    notices = (ROOT / "tests" / "REFERENCE-LICENSES.md").read_text(encoding="utf-8")
    copied = [p for p in (ROOT / "tests").rglob("refs/**/*") if p.is_file() and p.name != "README.md"]
    assert copied
    rows = re.findall(r"^\| (tests/[^ |]+) \|", notices, re.MULTILINE)
    missing = [name for name in (str(p.relative_to(ROOT)) for p in copied)
               if not any(name.startswith(row) if row.endswith("/") else fnmatch(name, row) for row in rows)]
    assert missing == []
