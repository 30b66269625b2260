"""API of donations (mounted in nhandao/api.py)."""

from ninja import Router

router = Router(tags=["donations"])
