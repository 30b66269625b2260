"""The API of this app under /api/v1/: the same services and scoped selectors as the pages."""

from __future__ import annotations

from ninja import Router

router = Router()
