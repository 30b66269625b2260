"""Members: register (new or existing person), cards numbered once per unit, status changes,
dues with their refusals, transfers with history, a merger's bulk transfer, the counts of a unit
and its sub-units, and the filtered list in Vietnamese order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.members import selectors, services
from nhandao.members.models import Dues, Member, MemberTransfer
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def make_member(people, unit, name="Nguyễn Thị Lan", joined=None, card_no="", **person):
    return services.member_register(
        actor=actor(people.hn_admin),
        unit=unit,
        person=PersonData(full_name=name, birth=person.pop("birth", "12/03/1980"), **person),
        joined_on=joined or dt.date(YEAR - 3, 5, 1),
        card_no=card_no,
    )


def test_register_a_new_person_is_audited(tree, people):
    m = make_member(people, tree.hk_branch, card_no="hk-1")
    assert m.person.full_name == "Nguyễn Thị Lan"
    assert m.card_no == "HK-1" and m.card_issued_on == m.joined_on
    assert m.status == "active"
    assert AuditEvent.objects.filter(object_type="members.member", object_id=str(m.pk)).exists()


def test_register_an_existing_person_once(tree, people):
    m = make_member(people, tree.hk_branch)
    with pytest.raises(ApplicationError, match="đã là hội viên"):
        services.member_register(
            actor=actor(people.hn_admin),
            unit=tree.ba_dinh,
            person=m.person,
            joined_on=TODAY,
        )


def test_refusals_when_registering(tree, people):
    make_member(people, tree.hk_branch, card_no="HK-1")
    with pytest.raises(ApplicationError, match="đã cấp cho hội viên Nguyễn Thị Lan"):
        make_member(people, tree.hk_branch, name="Trần Văn Bình", card_no="HK-1")
    with pytest.raises(ApplicationError, match="tương lai"):
        make_member(people, tree.hk_branch, name="Trần Văn Bình", joined=TODAY + dt.timedelta(1))
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.member_register(
            actor=actor(people.hn_admin),
            unit=tree.vinh_linh,
            person=PersonData(full_name="Lê Văn Cường"),
            joined_on=TODAY,
        )
    assert Member.objects.count() == 1


def test_cards_are_numbered_in_a_sequence_per_unit(tree, people):
    a = make_member(people, tree.hk_branch)
    b = make_member(people, tree.hk_branch, name="Trần Văn Bình")
    a = services.card_issue(actor=actor(people.hn_admin), member=a)
    b = services.card_issue(actor=actor(people.hn_admin), member=b)
    prefix = services.card_prefix(tree.hk_branch)
    assert a.card_no == f"{prefix}000001"
    assert b.card_no == f"{prefix}000002"
    c = make_member(people, tree.hk_branch, name="Lê Thị Cúc")
    with pytest.raises(ApplicationError, match="đã cấp cho hội viên Nguyễn Thị Lan"):
        services.card_issue(actor=actor(people.hn_admin), member=c, card_no=a.card_no)


def test_status_changes_with_dates(tree, people):
    m = make_member(people, tree.hk_branch)
    with pytest.raises(ApplicationError, match="trước ngày vào Hội"):
        services.member_status_set(
            actor=actor(people.hn_admin), member=m, status="lapsed", on=dt.date(YEAR - 5, 1, 1)
        )
    m = services.member_status_set(
        actor=actor(people.hn_admin), member=m, status="lapsed", on=TODAY
    )
    assert (m.status, m.status_since) == ("lapsed", TODAY)
    m = services.member_status_set(
        actor=actor(people.hn_admin), member=m, status="deceased", on=TODAY
    )
    with pytest.raises(ApplicationError, match="đã mất"):
        services.member_status_set(
            actor=actor(people.hn_admin), member=m, status="active", on=TODAY
        )


def test_dues_rules(tree, people):
    m = make_member(people, tree.hk_branch, joined=dt.date(YEAR - 1, 3, 1))
    who = actor(people.hn_admin)

    def record(**kw):
        return services.dues_record(actor=who, member=m, data=services.DuesData(**kw))

    with pytest.raises(ApplicationError, match=f"Năm {YEAR - 2} trước năm vào Hội"):
        record(year=YEAR - 2, amount=20_000)
    with pytest.raises(ApplicationError, match=f"đến năm {YEAR + 1}"):
        record(year=YEAR + 2, amount=20_000)
    with pytest.raises(ApplicationError, match="không được âm"):
        record(year=YEAR, amount=-1)
    with pytest.raises(ApplicationError, match="hãy ghi số tiền"):
        record(year=YEAR, amount=0)
    record(year=YEAR, amount=24_000, paid_on=TODAY)
    record(year=YEAR + 1, status="exempt")
    with pytest.raises(ApplicationError, match=f"Hội phí năm {YEAR} .* đã được ghi"):
        record(year=YEAR, amount=24_000)
    assert list(Dues.objects.order_by("year").values_list("year", "status", "amount")) == [
        (YEAR, "paid", 24_000),
        (YEAR + 1, "exempt", 0),
    ]


def test_transfer_keeps_history(tree, people):
    m = make_member(people, tree.hk_branch)
    t = services.member_transfer(
        actor=actor(people.hn_admin), member=m, to_unit=tree.ba_dinh, on=TODAY, reason="Chuyển nhà"
    )
    m.refresh_from_db()
    assert m.unit_id == tree.ba_dinh.pk
    assert (t.from_unit_id, t.to_unit_id) == (tree.hk_branch.pk, tree.ba_dinh.pk)
    with pytest.raises(ApplicationError, match="đang sinh hoạt ở đơn vị này"):
        services.member_transfer(
            actor=actor(people.hn_admin), member=m, to_unit=tree.ba_dinh, on=TODAY
        )
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.member_transfer(
            actor=actor(people.hn_admin), member=m, to_unit=tree.vinh_linh, on=TODAY
        )
    history = selectors.member_history(member=m)
    assert [x.pk for x in history.transfers] == [t.pk]


def test_a_merger_moves_every_member(tree, people):
    for name in ("Nguyễn Thị Lan", "Trần Văn Bình", "Lê Thị Cúc"):
        make_member(people, tree.hk_branch, name=name)
    n = services.unit_members_transfer(
        actor=actor(people.hn_admin), from_unit=tree.hk_branch, to_unit=tree.hoan_kiem, on=TODAY
    )
    assert n == 3
    assert Member.objects.filter(unit=tree.hoan_kiem).count() == 3
    assert MemberTransfer.objects.filter(reason="Hợp nhất đơn vị").count() == 3


def test_unit_counts_by_sub_unit(tree, people):
    make_member(people, tree.hk_branch, name="Nguyễn Thị Lan", joined=dt.date(YEAR, 1, 5))
    b = make_member(people, tree.hk_branch, name="Trần Văn Bình", joined=dt.date(YEAR - 2, 1, 5))
    c = make_member(people, tree.ba_dinh, name="Lê Thị Cúc", joined=dt.date(YEAR - 2, 1, 5))
    make_member(people, tree.hanoi, name="Phạm Văn Dũng", joined=dt.date(YEAR - 1, 1, 5))
    make_member(people, tree.ba_dinh, name="Vũ Văn Em")
    who = actor(people.hn_admin)
    services.member_status_set(actor=who, member=b, status="lapsed", on=TODAY)
    services.member_status_set(actor=who, member=c, status="left", on=TODAY)
    counts = selectors.unit_counts(tree.hanoi, YEAR)
    by_unit = {r.unit.pk: (r.new, r.lapsed, r.left, r.active) for r in counts.rows}
    assert by_unit == {tree.hoan_kiem.pk: (1, 1, 0, 1), tree.ba_dinh.pk: (0, 0, 1, 1)}
    assert (counts.own.active, counts.own.new) == (1, 0)
    assert (counts.total.new, counts.total.lapsed, counts.total.left, counts.total.active) == (
        1,
        1,
        1,
        3,
    )
    past = selectors.unit_counts(tree.hoan_kiem, YEAR - 2)
    assert past.total.new == 1 and past.rows[0].unit.pk == tree.hk_branch.pk


def test_member_list_filters_and_order(tree, people):
    who = actor(people.hn_admin)
    lan = make_member(people, tree.hk_branch, name="Nguyễn Thị Lan")
    binh = make_member(people, tree.ba_dinh, name="Trần Văn Bình", card_no="BD-7")
    an = make_member(people, tree.hk_branch, name="Đỗ Văn An")
    services.dues_record(actor=who, member=lan, data=services.DuesData(year=YEAR, amount=24_000))
    services.member_status_set(actor=who, member=binh, status="lapsed", on=TODAY)
    user = people.hn_officer

    def names(**kw):
        return [
            m.person.full_name for m in selectors.member_list(user, selectors.MemberFilters(**kw))
        ]

    assert names() == ["Đỗ Văn An", "Trần Văn Bình", "Nguyễn Thị Lan"]  # by given name
    assert names(query="thi lan") == ["Nguyễn Thị Lan"]
    assert names(query="bd-7") == ["Trần Văn Bình"]
    assert names(status="lapsed") == ["Trần Văn Bình"]
    assert names(unit=tree.hoan_kiem) == ["Đỗ Văn An", "Nguyễn Thị Lan"]
    assert names(dues_year=YEAR, dues="paid") == ["Nguyễn Thị Lan"]
    assert names(dues_year=YEAR, dues="none") == ["Đỗ Văn An", "Trần Văn Bình"]
    assert an.pk
    assert list(selectors.member_list(people.outsider)) == []
