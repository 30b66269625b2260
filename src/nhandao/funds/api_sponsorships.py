"""API of sponsorships (mounted in nhandao/api.py)."""

from ninja import Router

router = Router(tags=["sponsorships"])
