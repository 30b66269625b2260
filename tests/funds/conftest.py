"""Shared fixtures of the funds tests: a Hà Nội appeal with its own account, the activity fund of
Hoàn Kiếm, a donor, and a ``give`` helper that records a donation through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.funds import services
from nhandao.funds.ledger import Earmark
from tests.conftest import actor

TODAY = timezone.localdate()


@pytest.fixture
def appeal(tree, people):
    """An appeal of the Hà Nội chapter, opened 10 days ago, Vietcombank account 0011001234567."""
    return services.appeal_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=services.AppealData(
            name="Ủng hộ đồng bào bị thiệt hại do bão số 3",
            code="BAO3HN",
            opens_on=TODAY - dt.timedelta(days=10),
            bank_name="Vietcombank - Sở giao dịch",
            bank_bin="970436",
            account_no="0011001234567",
            account_name="HOI CHU THAP DO TP HA NOI",
            purpose="Hỗ trợ các hộ bị sập, tốc mái nhà do bão.",
        ),
    )


@pytest.fixture
def activity_fund(tree):
    return services.fund_activity_for(tree.hoan_kiem)


@pytest.fixture
def donor(tree, people):
    return services.donor_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=services.DonorData(
            kind="business",
            name="Công ty TNHH Thương mại Hồng Hà",
            tax_code="0101234567",
            email="lienhe@hongha.vn",
            phone="0912345678",
        ),
    )


@pytest.fixture
def give(tree, people):
    """Record a donation: give(fund, amount, donor=None, unit=None, by=None, **DonationData)."""

    def _give(fund, amount, *, donor=None, unit=None, by=None, earmark=None, **extra):
        data = services.DonationData(
            fund=fund,
            amount=amount,
            received_on=extra.pop("received_on", TODAY),
            donor=donor,
            earmark=earmark or Earmark(),
            **extra,
        )
        return services.donation_record(
            actor=actor(by or people.hn_officer), unit=unit or fund.unit, data=data
        )

    return _give
