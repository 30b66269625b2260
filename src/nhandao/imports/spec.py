"""What a list declares to the import pipeline: its columns, how a row becomes values, its natural
key, and how its rows are checked against the registry and written, set-based. Each domain app
declares its lists in ``<app>/importers.py``.

The pipeline stages keys and rows in temporary tables and hands their names to the list; a list
answers with one query per step, never one per row."""

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
    values: dict[str, Any]  # JSON-serialisable, what ``write`` reads back from the staged rows
    natural_key: str  # the same person/record in another file gives the same key
    problems: list[Problem] = field(default_factory=list)
    match_values: dict[str, Any] | None = None  # keys for the duplicate checks


# (unit) -> a parser for the rows of one job: cells by field -> Parsed. A parser may keep memos
# of per-value work between rows.
RowParserFactory = Callable[[Any], Callable[[dict[str, Cell]], Parsed]]
# (cursor, unit, keys table) -> the natural keys of that table (column ``nk``) already stored.
ExistingKeys = Callable[[Any, Any, str], set[str]]
# (scope, [(index, match values)]) -> {index: likely existing records}, as the preview shows
# them: [{"id", "name", "birth", "unit", "score", "reasons"}, …, {"outside_scope": n}]; the
# records inside ``scope`` (unit paths: the job's unit) are shown, the others counted.
RegistryMatches = Callable[[Any, Sequence[tuple[int, dict[str, Any]]]], dict[int, list[Any]]]
# (cursor, actor, unit, rows table, results table) -> rows written. The rows table holds
# ``row_id``, ``row_number`` and ``v`` (the row's values as JSON); the writer adds to the results
# table (``row_id``, ``result_id``) the id of the record each row became.
WriteRows = Callable[[Any, Any, Any, str, str], int]


@dataclass(frozen=True)
class ListSpec:
    kind: str
    label: str
    columns: tuple[ColumnSpec, ...]
    parser: RowParserFactory
    existing: ExistingKeys
    matches: RegistryMatches
    write: WriteRows
    example_rows: tuple[tuple[str, ...], ...] = ()
    detail_url: str = ""  # URL name of a written record's page, given its id
    # The tables ``write`` adds a row or more to per row, for a large load's indexes (ADR 9).
    tables: tuple[str, ...] = ()
    # The share of a long list's rows the job's own process parses (``parallel.in_parts``); a
    # forked one parses the rest and hands it over a chunk at a time while this one runs the
    # in-file check, which needs file order, over the rows parsed so far. Parsing a row costs
    # about twice the rest of its work here, so this process takes the smaller part; a list whose
    # rows are also checked against each other as people (``Parsed.match_values``) takes less.
    parent_share: float = 0.25


def refuse_if_problems(problems: Sequence[str]) -> None:
    """A list written row by row through a service is all or nothing: if any row was refused,
    raise one error naming them (the transaction then writes none)."""
    if problems:
        from django.utils.translation import gettext as _

        from nhandao.core.errors import ApplicationError

        raise ApplicationError(
            _("%(n)d dòng cần sửa: %(list)s.")
            % {"n": len(problems), "list": "; ".join(problems[:30])}
        )
