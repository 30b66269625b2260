from __future__ import annotations

import pytest

from nhandao.beneficiaries import services
from nhandao.people.services import PersonData
from tests.conftest import actor


@pytest.fixture
def register(tree, people):
    """Register a beneficiary as the Hà Nội officer (in Hoàn Kiếm unless told otherwise)."""

    def _register(full_name: str, unit=None, by=None, groups=(), circumstances="", **person):
        profile = services.ProfileData(
            groups=[
                services.GroupEntry(g, 2025 if g in ("poor", "near_poor") else None, "2022–2025")
                for g in groups
            ],
            circumstances=circumstances,
        )
        return services.beneficiary_register(
            actor=actor(by or people.hn_officer),
            unit=unit or tree.hoan_kiem,
            person=PersonData(full_name=full_name, **person),
            profile=profile,
        )

    return _register
