"""The name key of the public search is the same in Python and in the database, and on
PostgreSQL the searches of the received list are index range scans."""

from __future__ import annotations

import pytest
from django.db import connection

from nhandao.funds import public
from nhandao.portal.folding import FOLD_FROM, FOLD_TO, SQL_FUNCTION, fold_name

pytestmark = pytest.mark.django_db

SAMPLES = [
    "Nguyễn Văn Ấn",
    "ĐẶNG THỊ HỒNG NHUNG",
    "Công ty TNHH Thương mại Hồng Hà",
    "Bùi Ưng Ỷ",
    "Lê  Thị-Lan (Hà Nội) 2026",
    "Müller & Söhne GmbH",
]


def test_fold_name_drops_marks_and_case_only():
    assert fold_name("Nguyễn Văn Ấn") == "nguyen van an"
    assert fold_name("ĐẶNG THỊ HỒNG NHUNG") == "dang thi hong nhung"
    assert fold_name("Lê Thị-Lan (2026)") == "le thi-lan (2026)"
    assert len(FOLD_FROM) == len(FOLD_TO) and FOLD_TO.isascii()
    # Every Vietnamese letter with a mark, in both cases.
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for mark in ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            import unicodedata

            ch = unicodedata.normalize("NFC", base + mark)
            assert fold_name(ch) in "aeiouy", ch


def test_the_database_folds_exactly_like_python():
    with connection.cursor() as cursor:
        for text in SAMPLES:
            cursor.execute(f"SELECT {SQL_FUNCTION}(%s)", [text])
            assert cursor.fetchone()[0] == fold_name(text), text


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    return plan


def _many_donations(gift, n: int = 3000) -> None:
    """``n`` copies of ``gift`` with spread amounts, days and names, then ANALYZE: plans on a
    near-empty table are the planner's guess (a backward walk of the primary key is as cheap)."""
    import datetime as dt

    from nhandao.funds.models import Donation

    copies = []
    for i in range(n):
        copy = Donation.objects.get(pk=gift.pk)
        copy.pk = None
        copy.reference = f"T{i:08d}"
        copy.amount = 10_000 * (1 + i % 400)
        copy.received_on = dt.date(2026, 9, 1) + dt.timedelta(days=i % 80)
        copy.donor_name = f"{('Nguyễn', 'Trần', 'Lê', 'Phạm')[i % 4]} Văn {i}"
        copies.append(copy)
    Donation.objects.bulk_create(copies, batch_size=500)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE funds_donation")


def test_searches_use_their_indexes(appeal, give):
    import datetime as dt

    cases = {
        "portal_donation_name": public.DonationFilter(q="Nguyễn Văn"),
        "portal_donation_amount": public.DonationFilter(amount=500_000),
        "portal_donation_day": public.DonationFilter(day=dt.date(2026, 11, 1)),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'funds_donation'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'funds_donation'")
        names = {r[0] for r in cursor.fetchall()}
    assert {"portal_donation_amount", "portal_donation_day"} <= names
    if connection.vendor != "postgresql":
        assert "portal_donation_name" not in names  # SQLite reads the fund's rows for a name
        return
    assert "portal_donation_name" in names
    _many_donations(give(appeal, 500_000, donor_name="Nguyễn Văn An", anonymous=False))
    for index, flt in cases.items():
        plan = _plan(public.donations_query(appeal, flt)[:50])
        assert index in plan, plan
