"""Scope registrations of the sponsorships pages and API paths (see tests/scope_registry.py)."""

from __future__ import annotations
