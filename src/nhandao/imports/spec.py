"""What a list declares to the import pipeline: its columns, how a row becomes values, its natural
key, and how values are written. Each domain app declares its lists in ``<app>/importers.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .headers import ColumnSpec
from .readers import Cell


@dataclass
class Problem:
    field: str
    message: str
    level: str = "error"  # "error" stops the row; "warning" is shown and the row is kept

    def as_dict(self, column: str) -> dict[str, str]:
        return {"field": self.field, "column": column, "message": self.message, "level": self.level}


@dataclass
class Parsed:
    values: dict[str, Any]  # JSON-serialisable, what ``write`` receives
    natural_key: str  # the same person/record in another file gives the same key
    problems: list[Problem] = field(default_factory=list)
    match_values: dict[str, Any] | None = None  # keys for the registry duplicate check


@dataclass(frozen=True)
class ListSpec:
    kind: str
    label: str
    columns: tuple[ColumnSpec, ...]
    parse: Callable[[dict[str, Cell], Any], Parsed]  # (cells by field, unit) -> Parsed
    existing: Callable[[Any, Sequence[str]], set[str]]  # (unit, natural keys) -> already stored
    matches: Callable[[Any, dict[str, Any]], list[dict[str, Any]]]  # (user, match values)
    write: Callable[[Any, Any, dict[str, Any]], int]  # (actor, unit, values) -> new id
    example_rows: tuple[tuple[str, ...], ...] = ()
    detail_url: str = ""  # URL name of a written record's page, given its id
