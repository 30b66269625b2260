"""Every request and response schema of the API has its own name: django-ninja files schemas in
the OpenAPI document by class name, so two classes of one name would silently describe one
endpoint with the other's fields."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import nhandao


def test_no_two_api_schemas_share_a_name():
    for info in pkgutil.walk_packages(nhandao.__path__, "nhandao."):
        if info.name.rsplit(".", 1)[-1].startswith("api"):
            importlib.import_module(info.name)
    seen: dict[str, set[str]] = defaultdict(set)
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("nhandao.") and ".api" in cls.__module__:
            seen[cls.__name__].add(cls.__module__)
    assert len(seen) > 20
    assert {name: mods for name, mods in seen.items() if len(mods) > 1} == {}
