"""Scope registrations of the portal pages and API paths (see tests/scope_registry.py)."""

from __future__ import annotations
