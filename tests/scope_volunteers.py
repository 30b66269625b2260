"""Scope registrations of the volunteers pages and API paths (see tests/scope_registry.py)."""

from __future__ import annotations

from typing import Any  # noqa: F401

from tests.scope_registry import register, register_api  # noqa: F401
