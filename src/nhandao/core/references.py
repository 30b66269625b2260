"""References the database does not check (``ForeignKey(db_constraint=False)``, ADR 4 and 8),
checked on demand: every such column is anti-joined with the table it points to, and a value with
no row behind it is reported. ``manage.py check_references`` runs it (nightly in production, see
docs/deploy.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models

SAMPLE = 5


@dataclass(frozen=True)
class Reference:
    model: type[models.Model]
    field: models.ForeignKey  # type: ignore[type-arg]

    @property
    def label(self) -> str:
        target = self.field.related_model._meta  # type: ignore[union-attr]
        return (
            f"{self.model._meta.db_table}.{self.field.column} → "
            f"{target.db_table}.{self.field.target_field.column}"
        )


@dataclass(frozen=True)
class Dangling:
    reference: Reference
    count: int
    sample: list[int]  # primary keys of rows whose reference points nowhere


def unchecked_references() -> list[Reference]:
    """Every concrete foreign key of an installed model without a database constraint."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, models.ForeignKey) and not getattr(field, "db_constraint", True):
                found.append(Reference(model, field))
    return sorted(found, key=lambda r: r.label)


def dangling(reference: Reference) -> Dangling:
    """Rows of ``reference``'s table whose value has no row in the table it points to (one
    anti-join; the sample is the first few primary keys)."""
    q = connection.ops.quote_name
    field = reference.field
    target = field.related_model._meta  # type: ignore[union-attr]
    table, pk = reference.model._meta.db_table, reference.model._meta.pk.column  # type: ignore[union-attr]
    column, key = q(field.column), q(field.target_field.column)
    query = (
        f"SELECT t.{q(pk)} FROM {q(table)} t "  # noqa: S608 (names from the models)
        f"LEFT JOIN {q(target.db_table)} r ON r.{key} = t.{column} "
        f"WHERE t.{column} IS NOT NULL AND r.{key} IS NULL ORDER BY t.{q(pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({query}) d")  # noqa: S608
        count = int(cursor.fetchone()[0])
        sample: list[int] = []
        if count:
            cursor.execute(f"{query} LIMIT {SAMPLE}")
            sample = [row[0] for row in cursor.fetchall()]
    return Dangling(reference, count, sample)


def check_all() -> list[Dangling]:
    """Every unchecked reference that points nowhere somewhere (empty: all is well)."""
    return [d for d in map(dangling, unchecked_references()) if d.count]
