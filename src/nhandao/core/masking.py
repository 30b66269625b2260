"""Masking of personal identifiers for roles that do not need them (Law 91/2025)."""

from __future__ import annotations


def mask_id(value: str) -> str:
    """0011******45: enough to tell two records apart on screen, not enough to use."""
    value = value or ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_phone(value: str) -> str:
    value = value or ""
    return value[:3] + "****" + value[-3:] if len(value) >= 8 else "*" * len(value)
