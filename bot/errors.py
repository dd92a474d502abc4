"""Herald's errors, in one place.

    HeraldError                 anything Herald refuses, with a message meant for a person
    ├── UsageError              the command text is wrong; carries the usage line to show
    ├── TimeError               a time that cannot be read, does not exist, or is ambiguous
    ├── ConfigError             a setting is missing or malformed (names the variable)
    ├── NotAllowed              the user or channel may not publish
    └── DomainError             the request is well-formed but impossible
        ├── NotFound            no such incident, update or component
        └── InvalidTransition   a status that does not fit the incident's kind or state
"""

from __future__ import annotations


class HeraldError(Exception):
    """Base of every error Herald reports to a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(HeraldError):
    """The command text could not be parsed; `usage` is the right form."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:
        return f"{self.message}\nUsage: {self.usage}" if self.usage else self.message


class TimeError(HeraldError):
    """A time that cannot be read, does not exist, or happens twice."""


class ConfigError(HeraldError):
    """A setting is missing or malformed."""


class NotAllowed(HeraldError):
    """The user or channel is not on the allow-list for publishing."""


class DomainError(HeraldError):
    """A well-formed request that the incident's state does not allow."""


class NotFound(DomainError):
    """No such incident, update or component."""


class InvalidTransition(DomainError):
    """A status that does not fit the kind or state of the incident."""
