"""Where the database's files are, and which folders must never be served as the status site.

Everything in the site folder is public, and a server that opens the live SQLite file for a request
releases SQLite's locks on it when it closes it (POSIX locks are per process), which can lose commits:
so a site folder that is, or holds, the working folder or the database is refused (bot.config,
herald.site_http).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def sqlite_files(database_url: str) -> tuple[Path, ...]:
    """The files of a SQLite database (the file, its -wal, -shm and -journal), absolute; () for others."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return ()
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return ()
    main = Path(url.database.removeprefix("file:")).expanduser().resolve()
    return (main, *(main.with_name(main.name + tail) for tail in ("-wal", "-shm", "-journal")))


def site_dir_problem(site_dir: Path, database_url: str, cwd: Path | None = None) -> str | None:
    """Why `site_dir` must not be served (it is or holds the working folder, or holds the database), or None.

    Everything in the site folder is public, and a server that opens the live SQLite file for a request
    releases SQLite's locks on it when it closes it (POSIX locks are per process), which can lose commits.
    """
    site, here = site_dir.expanduser().resolve(), (cwd or Path.cwd()).resolve()
    if here.is_relative_to(site):
        return (f"{site_dir} is {'' if site == here else 'a parent of '}the working folder ({here}): every "
                "file in it would be public; use a folder of its own, such as ./site")
    inside = [f for f in sqlite_files(database_url) if f.is_relative_to(site)]
    if inside:
        return (f"{site_dir} holds the database ({inside[0]}): it would be public and serving it breaks "
                "SQLite's locks; keep the database (DATABASE_URL) outside the site folder")
    return None
