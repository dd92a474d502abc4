"""A folder as a mirror target (`file:///srv/status`): for a static host, a sync job or a second disk.

Each file is replaced atomically (written to a dotfile beside it, then renamed), so a host serving the
folder never sends half a page. A folder keeps no headers: its server sets them by name, as docs/deploying.md
shows.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.plugins.contract import MirrorTarget, PublishError, SiteFile


class FolderTarget:
    """Files under one folder."""

    def __init__(self, target: MirrorTarget) -> None:
        self.root = Path(target.place)

    def listing(self) -> dict[str, str]:
        """Every file under the folder (dotfiles aside): site path → MD5 of its bytes."""
        found: dict[str, str] = {}
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in (n for n in files if not n.startswith(".")):
                path = Path(folder, name)
                found[path.relative_to(self.root).as_posix()] = hashlib.md5(
                    path.read_bytes(), usedforsecurity=False).hexdigest()
        return found

    def put(self, found: SiteFile) -> None:
        """Write one file atomically."""
        target = self.root / found.path
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(found.data)
            os.replace(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise PublishError(f"cannot write {target}: {exc.strerror}", retryable=True) from exc

    def delete(self, path: str) -> None:
        """Remove one file."""
        try:
            (self.root / path).unlink(missing_ok=True)
        except OSError as exc:
            raise PublishError(f"cannot delete {self.root / path}: {exc.strerror}", retryable=True) from exc
