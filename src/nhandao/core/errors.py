"""The one error type that services raise for a broken business rule.

Views turn it into a message for the user; the API turns it into a 400 with the same message.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(
        self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)
