"""`herald serve`'s delivery worker as a child process of the gunicorn master, never a thread of a web worker.

Rendering the status page, the Slack card and the receipts costs tens of milliseconds of CPU per update;
in the web process that work would hold the interpreter lock while acks wait. So the master starts one
`python -m herald.worker_child` when it is ready, hands it the config (pickled on its stdin: the demo's
config is built in code, not read from the environment), restarts it when it dies (after a pause that
grows while it keeps dying young), and stops it (SIGTERM, then the shutdown grace, then SIGKILL) when
the master exits. The child watches its parent and stops by itself when the master is gone, even
after a SIGKILL of the master.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import sys
import threading
import time
from typing import Any

from bot import logs
from bot.config import Config
from bot.delivery.worker import Stop, run_forever
from herald.app import create_core

log = logging.getLogger("herald.web")
YOUNG = 10.0  # s; a child that dies younger than this is restarted after a growing pause
PAUSE_CAP = 30.0  # s; the longest pause between restarts
WATCH = 0.5  # s; how often the child checks that its parent is still there


class WorkerChild:
    """Starts, restarts and stops the delivery worker process of one gunicorn master."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.pid: int | None = None
        self.exited = threading.Event()  # set when the current child is known to be gone
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.starts = 0

    def start(self, _server: Any = None) -> None:
        """gunicorn's `when_ready`: start the child and the thread that keeps it running."""
        threading.Thread(target=self.supervise, name="herald-worker-supervisor", daemon=True).start()

    def spawn(self) -> int:
        """One child process, given the config on its stdin.

        posix_spawn, not subprocess: gunicorn's master forks web workers meanwhile, and a fork that inherits
        subprocess's exec-status pipe would hold it open (and the master's thread waiting) until that web
        worker exits. The child reads one pickle, so a copy of this pipe elsewhere delays nothing."""
        read, write = os.pipe()
        try:
            pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "herald.worker_child", str(os.getpid())],
                                 os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, read, 0)])
        finally:
            os.close(read)
        data = pickle.dumps(self.config)
        with contextlib.suppress(BrokenPipeError):  # it died at once: the supervisor sees it exit, starts another
            while data:
                data = data[os.write(write, data):]
        os.close(write)
        self.starts += 1
        log.info("delivery worker process %d started", pid)
        return pid

    def supervise(self) -> None:
        """Run the child; when it exits (or is killed) and the master is not stopping, start a new one."""
        failures = 0
        while not self.stopping.is_set():
            with self.lock:
                if self.stopping.is_set():
                    return
                self.pid, self.exited = pid, exited = self.spawn(), threading.Event()
            began = time.monotonic()
            code = wait(pid)
            exited.set()
            if self.stopping.is_set():
                return
            failures = failures + 1 if time.monotonic() - began < YOUNG else 0
            log.warning("delivery worker process %d exited (%s); starting a new one", pid, code)
            self.stopping.wait(min(PAUSE_CAP, 0.5 * 2 ** failures) if failures else 0.1)

    def stop(self, _server: Any = None) -> None:
        """gunicorn's `on_exit`: SIGTERM the child, give it the shutdown grace, then SIGKILL it."""
        with self.lock:
            self.stopping.set()
            pid, exited = self.pid, self.exited
        if pid is None or exited.is_set():
            return
        for signum, grace in ((signal.SIGTERM, self.config.shutdown_grace + 5), (signal.SIGKILL, 5)):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                return
            if exited.wait(grace):
                return


def wait(pid: int) -> int | None:
    """Wait for child `pid` to exit; its exit code, or None when gunicorn's master reaped it first."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def watch_parent(parent: int, stop: threading.Event) -> None:
    """Set `stop` when `parent` is no longer this process's parent (the master exited or was killed)."""
    while not stop.wait(WATCH):
        if os.getppid() != parent:
            log.warning("the herald serve master (%d) is gone: stopping the delivery worker", parent)
            stop.set()


def main() -> None:
    """The child: read the config from stdin, then run the delivery worker until told to stop."""
    parent = int(sys.argv[1])
    config: Config = pickle.load(sys.stdin.buffer)  # noqa: S301 - our own parent wrote it; reads one pickle, not to EOF
    logs.setup(verbose=False)
    logs.redact(config)
    logging.getLogger("bot").setLevel(logging.INFO)
    stop = Stop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=watch_parent, args=(parent, stop), name="herald-parent-watch", daemon=True).start()
    run_forever(create_core(config), stop=stop)


if __name__ == "__main__":
    main()
