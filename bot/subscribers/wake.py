"""Waking the notifier lanes of this process when notifications arrive (after the fan-out commits)."""

from __future__ import annotations

import threading

_events: list[threading.Event] = []
_lock = threading.Lock()


def event() -> threading.Event:
    """A new event for one lane; `wake_all` sets it."""
    made = threading.Event()
    with _lock:
        _events.append(made)
    return made


def forget(made: threading.Event) -> None:
    """Stop waking a lane that has ended."""
    with _lock:
        if made in _events:
            _events.remove(made)


def wake_all() -> None:
    """Wake every lane of this process (they then claim what is due)."""
    with _lock:
        for made in _events:
            made.set()
