"""The portal's tests use the funds fixtures (a Hà Nội appeal, a donor, ``give``) and the
campaigns' launched Tết Nhân ái (``tet``) for aid records paid from a fund."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.campaigns.conftest import tet  # noqa: F401
from tests.funds.conftest import activity_fund, appeal, donor, give  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The portal caches figures per process; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
