"""The portal's tests use the funds fixtures (a Hà Nội appeal, a donor, ``give``) and the
campaigns' launched Tết Nhân ái (``tet``) for aid records paid from a fund."""

from __future__ import annotations

from tests.campaigns.conftest import tet  # noqa: F401
from tests.funds.conftest import activity_fund, appeal, donor, give  # noqa: F401
