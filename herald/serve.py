"""Running the web app under gunicorn (gthread) from Python: `herald serve` and the benchmark both use it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Config
from herald.web import create_web, start_background
from herald.worker_child import WorkerChild

log = logging.getLogger("herald.web")


class Server(BaseApplication):
    """A gunicorn application whose WSGI app is built by `factory` in each worker process after fork."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory, self.options = factory, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorns lack some settings (control_socket_disable)
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def options(*, host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings for Herald: threaded workers, quiet access log, quick graceful stop."""
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
            "timeout": 60, "graceful_timeout": 10, "keepalive": 5, "accesslog": None,
            "errorlog": "-", "loglevel": "info", "proc_name": "herald-web",
            "control_socket_disable": True}


def serve(config: Config, *, host: str = "0.0.0.0", port: int | None = None, worker: bool = True) -> None:
    """Run `herald serve` until stopped; with `worker`, the delivery worker runs as a child of the master."""
    stops: list[Callable[[], None]] = []

    def factory() -> Any:
        web = create_web(config)
        stops.extend(start_background(config, web))
        return web

    settings = options(host=host, port=port or config.port, workers=config.web_concurrency,
                       threads=config.web_threads)
    def stop_background(_server: Any, _worker: Any) -> None:
        for stop in stops:
            stop()

    settings["worker_exit"] = stop_background
    if worker:  # a process of its own: its rendering never competes with the acks for the interpreter lock
        child = WorkerChild(config)
        settings["when_ready"], settings["on_exit"] = child.start, child.stop
    log.info("herald serve on %s", settings["bind"])
    Server(factory, settings).run()
