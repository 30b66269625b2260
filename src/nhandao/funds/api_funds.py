"""API of funds (mounted in nhandao/api.py)."""

from ninja import Router

router = Router(tags=["funds"])
