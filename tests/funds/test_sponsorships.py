"""Sponsors of humanitarian addresses (BEN-4): linking, fulfilments, voiding, ending, progress
per period, the addresses still without a sponsor, and what each user may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import services
from nhandao.funds import sponsorships as sp
from nhandao.funds.ledger import Earmark
from nhandao.funds.models import Sponsorship, SponsorshipFulfilment
from tests.conftest import actor

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = dt.date


@pytest.fixture
def address(register):
    return register("Nguyễn Thị Lành", birth="1938", groups=["poor", "lonely_elderly"])


def link(people, donor, beneficiary, by=None, **extra):
    data = {
        "donor": donor,
        "beneficiary": beneficiary,
        "commitment": "Hỗ trợ tiền ăn hằng tháng",
        "amount": 500_000,
        "frequency": "monthly",
        "starts_on": TODAY - dt.timedelta(days=70),
    } | extra
    return sp.sponsorship_create(
        actor=actor(by or people.hn_officer), data=sp.SponsorshipData(**data)
    )


# --- linking ---------------------------------------------------------------------------------


def test_link_is_saved_with_a_private_token_and_audited(people, donor, address):
    s = link(people, donor, address, note="Qua Hội CTĐ phường")
    assert s.unit_id == address.unit_id and s.status == "active"
    assert 16 <= len(s.token) <= 32 and s.token.replace("-", "").replace("_", "").isalnum()
    assert s.commitment == "Hỗ trợ tiền ăn hằng tháng" and s.note == "Qua Hội CTĐ phường"


@pytest.fixture
def linked(people, donor, address):
    return link(people, donor, address)


def test_creation_is_audited_with_the_commitment(people, linked, donor):
    event = AuditEvent.objects.get(object_type="funds.sponsorship", object_id=str(linked.pk))
    assert event.action == "create" and event.changes["donor"] == donor.name
    assert event.changes["amount"] == 500_000 and event.changes["frequency"] == "monthly"


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"amount": 0}, "amount", "lớn hơn 0"),
        ({"amount": -100_000}, "amount", "lớn hơn 0"),
        ({"amount": 1.5}, "amount", "đồng nguyên"),
        ({"commitment": " "}, "commitment", "nội dung cam kết"),
        ({"frequency": "weekly"}, "frequency", "Tần suất"),
        ({"ends_on": TODAY - dt.timedelta(days=70)}, "ends_on", "sau ngày bắt đầu"),
        ({"ends_on": TODAY - dt.timedelta(days=100)}, "ends_on", "sau ngày bắt đầu"),
        ({"starts_on": D(1800, 1, 1)}, "starts_on", "1990"),
    ],
)
def test_bad_commitments_are_refused_in_vietnamese_and_nothing_is_written(
    people, donor, address, extra, field, words
):
    before = (Sponsorship.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as err:
        link(people, donor, address, **extra)
    assert err.value.field == field and words in err.value.message
    assert (Sponsorship.objects.count(), AuditEvent.objects.count()) == before


def test_an_address_no_longer_supported_cannot_be_linked(people, donor, address):
    Beneficiary.objects.filter(pk=address.pk).update(status="deceased")
    with pytest.raises(ApplicationError, match="Đã mất"):
        link(people, donor, address)


def test_the_same_sponsor_is_linked_to_an_address_once_at_a_time(people, donor, linked, address):
    with pytest.raises(ApplicationError, match="đang gắn kết với địa chỉ này") as err:
        link(people, donor, address)
    assert err.value.field == "donor"
    sp.sponsorship_end(
        actor=actor(people.hn_officer),
        sponsorship=linked,
        status="ended",
        on=TODAY,
        reason="Hoàn thành cam kết năm",
    )
    again = link(people, donor, address, starts_on=TODAY)
    assert again.pk != linked.pk and again.token != linked.token


def test_another_sponsor_may_join_the_same_address(people, donor, linked, address):
    second = services.donor_create(
        actor=actor(people.hn_officer),
        unit=people.hn_officer.assignments.first().unit,
        data=services.DonorData(kind="individual", name="Trần Văn Hảo"),
    )
    assert link(people, second, address).beneficiary_id == address.pk


def test_scope_and_permission_are_checked(people, tree, donor, address):
    # The Quảng Trị officer cannot reach a Hoàn Kiếm address.
    with pytest.raises(ApplicationError, match="không có quyền"):
        link(people, donor, address, by=people.outsider)
    # The Hoàn Kiếm clerk cannot use a donor kept by the Hà Nội chapter.
    with pytest.raises(ApplicationError, match="Không tìm thấy nhà tài trợ") as err:
        link(people, donor, address, by=people.clerk)
    assert err.value.field == "donor"
    own = services.donor_create(
        actor=actor(people.clerk),
        unit=tree.hoan_kiem,
        data=services.DonorData(kind="business", name="Cửa hàng Minh Phát"),
    )
    assert link(people, own, address, by=people.clerk).unit_id == tree.hoan_kiem.pk


# --- progress --------------------------------------------------------------------------------


START = D(2026, 1, 15)


def _draft(frequency="monthly", starts=START, ends=None, amount=500_000, status="active"):
    return Sponsorship(
        frequency=frequency, starts_on=starts, ends_on=ends, amount=amount, status=status
    )


def test_add_months_stays_inside_the_month():
    assert sp.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert sp.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert sp.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert sp.add_months(D(2026, 5, 15), 12) == D(2027, 5, 15)


def test_monthly_periods_due_covered_and_overdue():
    s = _draft()
    p = sp.progress(s, given=1_000_000, today=D(2026, 4, 20), with_periods=True)
    # Periods start 15/01, 15/02, 15/03, 15/04; the first three have ended.
    assert (p.periods_due, p.periods_covered, p.periods_overdue) == (4, 2, 1)
    assert (p.expected, p.given, p.shortfall) == (2_000_000, 1_000_000, 1_000_000)
    assert p.overdue and p.periods_planned is None
    assert (p.next_due_on, p.next_deadline) == (D(2026, 3, 15), D(2026, 4, 14))
    assert [(x.starts_on, x.deadline, x.state) for x in p.periods] == [
        (D(2026, 1, 15), D(2026, 2, 14), "covered"),
        (D(2026, 2, 15), D(2026, 3, 14), "covered"),
        (D(2026, 3, 15), D(2026, 4, 14), "open"),
        (D(2026, 4, 15), D(2026, 5, 14), "open"),
    ]


def test_a_late_payment_covers_the_oldest_period_first():
    s = _draft()
    p = sp.progress(s, given=1_750_000, today=D(2026, 4, 20), with_periods=True)
    assert not p.overdue and p.periods_covered == 3
    assert [x.covered for x in p.periods] == [500_000, 500_000, 500_000, 250_000]
    assert p.periods[-1].state == "partial"


def test_current_period_is_due_but_not_yet_overdue():
    p = sp.progress(_draft(), given=0, today=D(2026, 1, 20))
    assert (p.periods_due, p.periods_overdue, p.overdue) == (1, 0, False)
    assert p.next_due_on == D(2026, 1, 15)


def test_quarterly_and_yearly_with_an_end_date():
    q = _draft("quarterly", D(2026, 1, 1), D(2026, 12, 31), amount=3_000_000)
    p = sp.progress(q, given=3_000_000, today=D(2026, 8, 1))
    assert (p.periods_planned, p.periods_due, p.periods_overdue) == (4, 3, 1)
    assert (p.next_due_on, p.next_deadline) == (D(2026, 4, 1), D(2026, 6, 30))
    y = _draft("yearly", D(2024, 9, 1), D(2027, 8, 31), amount=10_000_000)
    p = sp.progress(y, given=30_000_000, today=D(2030, 1, 1))
    assert (p.periods_planned, p.periods_due, p.periods_covered) == (3, 3, 3)
    assert not p.overdue and p.next_due_on is None


def test_a_one_time_gift_is_due_for_thirty_days_or_until_its_end():
    once = _draft("once", D(2026, 3, 1), amount=2_000_000)
    assert not sp.progress(once, given=0, today=D(2026, 3, 31)).overdue
    late = sp.progress(once, given=0, today=D(2026, 4, 1))
    assert late.overdue and late.periods_planned == 1 and late.next_deadline == D(2026, 3, 31)
    done = sp.progress(once, given=2_000_000, today=D(2026, 4, 1))
    assert not done.overdue and done.next_due_on is None
    bounded = _draft("once", D(2026, 3, 1), D(2026, 6, 30))
    assert not sp.progress(bounded, given=0, today=D(2026, 6, 30)).overdue
    assert sp.progress(bounded, given=0, today=D(2026, 7, 1)).overdue


def test_an_ended_commitment_is_never_overdue_and_stops_at_its_end():
    s = _draft(ends=D(2026, 2, 28), status="ended")
    p = sp.progress(s, given=0, today=D(2026, 9, 1))
    assert (p.periods_due, p.expected, p.overdue, p.next_due_on) == (2, 1_000_000, False, None)


def test_a_huge_gift_does_not_break_the_next_due_date():
    s = _draft(amount=1)
    p = sp.progress(s, given=10**15, today=D(2026, 2, 1))
    assert p.next_due_on is None and not p.overdue


# --- fulfilments -----------------------------------------------------------------------------


def fulfil(people, s, days_ago=60, amount=500_000, by=None, **extra):
    return sp.fulfilment_record(
        actor=actor(by or people.hn_officer),
        sponsorship=s,
        given_on=TODAY - dt.timedelta(days=days_ago),
        amount=amount,
        **extra,
    )


def test_fulfilments_count_and_a_voided_one_does_not(people, linked):
    fulfil(people, linked, 65, description="Tháng thứ nhất")
    wrong = fulfil(people, linked, 30, amount=5_000_000, description="Gõ nhầm số tiền")
    assert sp.progress(linked).given == 5_500_000
    sp.fulfilment_void(actor=actor(people.hn_officer), fulfilment=wrong, reason="Gõ nhầm số")
    wrong.refresh_from_db()
    assert wrong.voided and wrong.void_reason == "Gõ nhầm số"
    assert SponsorshipFulfilment.objects.filter(sponsorship=linked).count() == 2  # kept
    assert sp.progress(linked).given == 500_000
    with pytest.raises(ApplicationError, match="đã được hủy"):
        sp.fulfilment_void(actor=actor(people.hn_officer), fulfilment=wrong, reason="Lần nữa")
    events = AuditEvent.objects.filter(object_type="funds.sponsorship", object_id=str(linked.pk))
    assert [e.action for e in events.order_by("id")] == ["create", "update", "update", "deactivate"]
    assert events.order_by("id").last().changes["reason"] == "Gõ nhầm số"


@pytest.mark.parametrize(
    ("days_ago", "amount", "words"),
    [
        (-1, 500_000, "sau hôm nay"),
        (71, 500_000, "trước ngày bắt đầu"),
        (10, 0, "lớn hơn 0"),
        (10, -1, "lớn hơn 0"),
    ],
)
def test_bad_fulfilments_are_refused(people, linked, days_ago, amount, words):
    with pytest.raises(ApplicationError, match=words):
        fulfil(people, linked, days_ago, amount)
    assert not SponsorshipFulfilment.objects.exists()


def test_void_needs_a_reason_and_the_right(people, linked):
    f = fulfil(people, linked)
    with pytest.raises(ApplicationError, match="lý do"):
        sp.fulfilment_void(actor=actor(people.hn_officer), fulfilment=f, reason="  ")
    with pytest.raises(ApplicationError, match="không có quyền"):
        sp.fulfilment_void(actor=actor(people.outsider), fulfilment=f, reason="Không phải của tôi")
    f.refresh_from_db()
    assert not f.voided


def test_a_fulfilment_may_come_with_the_sponsors_earmarked_donation(
    people, tree, donor, linked, address, give
):
    activity = services.fund_activity_for(tree.hanoi)
    mark = Earmark(kind="beneficiary", beneficiary_id=address.pk)
    gift = give(activity, 500_000, donor=donor, earmark=mark)
    unmarked = give(activity, 500_000, donor=donor)
    stranger = give(activity, 500_000, earmark=mark, donor_name="Người khác")
    assert list(sp.eligible_donations(linked)) == [gift]
    for wrong in (unmarked, stranger):
        with pytest.raises(ApplicationError, match="không phải của nhà tài trợ này") as err:
            fulfil(people, linked, donation=wrong)
        assert err.value.field == "donation"
    with pytest.raises(ApplicationError, match="lớn hơn khoản ủng hộ"):
        fulfil(people, linked, amount=600_000, donation=gift)
    f = fulfil(people, linked, donation=gift, description="Tiền ăn tháng 1")
    assert f.donation_id == gift.pk
    assert list(sp.eligible_donations(linked)) == []  # one fulfilment per donation
    with pytest.raises(ApplicationError, match="đã gắn với lần trao khác"):
        fulfil(people, linked, donation=gift)


# --- ending ----------------------------------------------------------------------------------


def test_ending_sets_the_status_day_and_keeps_the_reason(people, linked):
    fulfil(people, linked, 60)
    with pytest.raises(ApplicationError, match="lần trao sau ngày"):
        sp.sponsorship_end(
            actor=actor(people.hn_officer),
            sponsorship=linked,
            status="cancelled",
            on=TODAY - dt.timedelta(days=65),
            reason="Doanh nghiệp ngừng hoạt động",
        )
    for bad, words in [
        ({"status": "active"}, "Đã kết thúc"),
        ({"reason": ""}, "lý do"),
        ({"on": TODAY + dt.timedelta(days=1)}, "sau hôm nay"),
        ({"on": TODAY - dt.timedelta(days=80)}, "trước ngày bắt đầu"),
    ]:
        args = {
            "status": "cancelled",
            "on": TODAY - dt.timedelta(days=5),
            "reason": "Doanh nghiệp ngừng hoạt động",
        } | bad
        with pytest.raises(ApplicationError, match=words):
            sp.sponsorship_end(actor=actor(people.hn_officer), sponsorship=linked, **args)
    ended = sp.sponsorship_end(
        actor=actor(people.hn_officer),
        sponsorship=linked,
        status="cancelled",
        on=TODAY - dt.timedelta(days=5),
        reason="Doanh nghiệp ngừng hoạt động",
    )
    assert ended.status == "cancelled" and ended.ends_on == TODAY - dt.timedelta(days=5)
    assert sp.end_reason(ended) == "Doanh nghiệp ngừng hoạt động"
    assert not sp.progress(ended).overdue
    with pytest.raises(ApplicationError, match="đã ở trạng thái"):
        sp.sponsorship_end(
            actor=actor(people.hn_officer),
            sponsorship=ended,
            status="ended",
            on=TODAY,
            reason="Lần nữa",
        )
    with pytest.raises(ApplicationError, match="sau ngày kết thúc"):
        fulfil(people, ended, 1)


# --- lists -----------------------------------------------------------------------------------


def test_unsponsored_addresses_use_not_exists_and_stay_in_scope(
    people, tree, donor, register, django_assert_max_num_queries
):
    sponsored = register("Trần Văn Bình", groups=["poor"])
    ended = register("Lê Thị Ánh", groups=["orphan"])
    alone = register("Phạm Văn Đức", groups=["poor"])
    gone = register("Hoàng Văn Em", groups=["poor"])
    Beneficiary.objects.filter(pk=gone.pk).update(status="moved")
    link(people, donor, sponsored)
    old = link(people, donor, ended)
    sp.sponsorship_end(
        actor=actor(people.hn_officer),
        sponsorship=old,
        status="ended",
        on=TODAY,
        reason="Cháu đã đi làm",
    )
    user = actor(people.hn_officer)
    qs = sp.unsponsored_list(user=user)
    assert "NOT EXISTS" in str(qs.query).upper()
    with django_assert_max_num_queries(3):  # the ids, the page's rows, their groups
        rows = sp.unsponsored_rows(list(sp.unsponsored_ids(user=user)[:100]))
        names = [b.person.full_name for b in rows]
        assert all(m.group.name for b in rows for m in b.memberships.all())
    assert names == ["Lê Thị Ánh", "Phạm Văn Đức"]  # sorted by given name
    assert [b.pk for b in sp.unsponsored_list(user=user, group="poor")] == [alone.pk]
    assert list(sp.unsponsored_list(user=user, unit=tree.ba_dinh)) == []
    assert list(sp.unsponsored_list(user=actor(people.outsider))) == []


def test_an_active_link_past_its_end_date_no_longer_counts_as_sponsored(people, donor, address):
    link(
        people,
        donor,
        address,
        starts_on=TODAY - dt.timedelta(days=400),
        ends_on=TODAY - dt.timedelta(days=1),
    )
    assert [b.pk for b in sp.unsponsored_list(user=actor(people.hn_officer))] == [address.pk]


def test_lists_per_sponsor_and_due_list(people, tree, donor, register):
    a = link(people, donor, register("Trần Văn Bình"))  # 70 days: three periods, overdue
    b = link(people, donor, register("Lê Thị Ánh"), starts_on=TODAY + dt.timedelta(days=10))
    far = link(people, donor, register("Phạm Văn Đức"), starts_on=TODAY + dt.timedelta(days=90))
    fulfil(people, a, 60, amount=500_000)
    rows = sp.sponsorships_of_donor(actor(people.hn_officer), donor)
    assert {s.pk for s in rows} == {a.pk, b.pk, far.pk}
    assert next(s for s in rows if s.pk == a.pk).progress.given == 500_000
    assert sp.sponsorships_of_donor(actor(people.outsider), donor) == []
    due = sp.due_list(user=actor(people.hn_officer), days=30)
    assert [x.sponsorship.pk for x in due] == [a.pk, b.pk]
    assert due[0].progress.overdue and not due[1].progress.overdue
    assert [x.sponsorship.pk for x in sp.due_list(user=actor(people.hn_officer), days=120)] == [
        a.pk,
        b.pk,
        far.pk,
    ]
    assert sp.due_list(user=actor(people.hn_officer), unit=tree.ba_dinh) == []
    listed = sp.sponsorship_list(
        user=actor(people.hn_officer), filters=sp.ListFilters(overdue=True)
    )
    assert [s.pk for s in sp.overdue_only(listed)] == [a.pk]
    found = sp.sponsorship_list(
        user=actor(people.hn_officer), filters=sp.ListFilters(query="le thi anh")
    )
    assert [s.pk for s in found] == [b.pk]


def test_list_reads_progress_without_a_query_per_row(people, donor, register):
    for name in ("Trần Văn Bình", "Lê Thị Ánh", "Phạm Văn Đức", "Hoàng Văn Em"):
        s = link(people, donor, register(name))
        fulfil(people, s, 30)
    qs = sp.sponsorship_list(user=actor(people.hn_officer), filters=sp.ListFilters())
    with CaptureQueriesContext(connection) as queries:
        rows = sp.with_progress(qs)
    assert len(rows) == 4 and all(r.progress.given == 500_000 for r in rows)
    assert len(queries) == 1
