"""Scope registrations of the vouchers pages and API paths (imported by tests/scope_registry.py)."""

from __future__ import annotations

from typing import Any  # noqa: F401

from tests.scope_registry import register, register_api  # noqa: F401
