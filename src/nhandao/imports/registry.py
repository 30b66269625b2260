"""The lists the pipeline knows, declared in settings.NHANDAO_IMPORTERS (kind -> dotted path)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.module_loading import import_string

from .spec import ListSpec


def list_specs() -> dict[str, ListSpec]:
    return {kind: import_string(path) for kind, path in settings.NHANDAO_IMPORTERS.items()}


def get_spec(kind: str) -> ListSpec:
    specs = list_specs()
    if kind not in specs:
        raise Http404
    return specs[kind]
