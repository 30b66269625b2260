"""API of statements (mounted in nhandao/api.py)."""

from ninja import Router

router = Router(tags=["statements"])
