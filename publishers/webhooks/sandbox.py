"""Sandbox mode: webhook messages are kept as JSON files under HERALD_SANDBOX_DIR/webhook/ instead of posted."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from bot.plugins.contract import Config, Notice


def keep(config: Config, notice: Notice, msg_id: str, body: dict[str, Any]) -> None:
    """Write one message (once: a retry rewrites the same file)."""
    folder = config.sandbox_dir / "webhook"
    folder.mkdir(parents=True, exist_ok=True)
    record = {"id": msg_id, "url": notice.address, "body": body}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False, indent=1)
    os.replace(tmp, folder / f"{msg_id}.json")
