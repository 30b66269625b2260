"""API pagination helper: the paginator slices the queryset first, then one page is converted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PageSource:
    """Looks like a list to django-ninja's paginator; ``convert`` sees one page of rows only, so
    it can resolve related data for that page in a single query."""

    def __init__(self, queryset: Any, convert: Callable[[list[Any]], list[Any]]):
        self.queryset = queryset
        self.convert = convert

    def __len__(self) -> int:
        return int(self.queryset.count())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, item: slice) -> list[Any]:
        return self.convert(list(self.queryset[item]))
