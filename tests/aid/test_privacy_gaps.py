"""Fair pages show recipients' names and redeemable voucher codes: only chapter staff who may read
data see them. A partner agency sees none of them; a partner organisation's login sees its own
stalls (and redeems there), never the fair's list of recipients and codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.aid import vouchers
from nhandao.aid.models import Partner, PartnerUser
from tests.aid.test_vouchers import TODAY, _issue, fair, running  # noqa: F401
from tests.campaigns.conftest import tet  # noqa: F401
from tests.conftest import actor, login, make_user

pytestmark = pytest.mark.django_db

READS = ("fair_detail", "voucher_sheet", "fair_reconcile", "fair_reconcile_export")


def _shop_login(fair, tree, people):  # noqa: F811
    """A supermarket with a stall at the fair and its login (partner_org role)."""
    shop = Partner.objects.create(unit=tree.hanoi, name="Siêu thị Hạnh Phúc", kind="business")
    user = make_user("sieu_thi", tree.hanoi, "partner_org", "Nguyễn Thị Hạnh")
    PartnerUser.objects.create(partner=shop, user=user)
    stall = vouchers.stall_add(
        actor=actor(people.hn_officer), fair=fair, name="Gian siêu thị", partner=shop
    )
    return shop, user, stall


def test_a_partner_agency_gets_no_fair_page_sheet_or_reconciliation(
    client,
    fair,  # noqa: F811
    tree,
    people,
):
    issued = _issue(fair, people)
    agency = make_user("mttq", tree.hanoi, "partner", "Ủy ban MTTQ Hà Nội")
    login(client, agency)
    for name in READS:
        response = client.get(reverse(name, args=[fair.pk]), {"q": "Văn"})
        assert response.status_code == 403, name
        body = response.content.decode(errors="replace")
        for v in issued:
            assert vouchers.code_display(v.code) not in body, name
            assert v.aid_record.person.full_name not in body, name


def test_a_partner_login_sees_its_own_stall_never_the_recipients_or_codes(
    client,
    fair,  # noqa: F811
    tree,
    people,
):
    _shop, user, stall = _shop_login(fair, tree, people)
    issued = _issue(fair, people)
    login(client, user)
    for name in ("voucher_sheet", "fair_reconcile", "fair_reconcile_export"):
        assert client.get(reverse(name, args=[fair.pk])).status_code == 403, name
    first = issued[0]
    page = client.get(reverse("fair_detail", args=[fair.pk]), {"q": "Văn"})
    assert page.status_code == 200
    body = page.content.decode()
    for v in issued:
        assert vouchers.code_display(v.code) not in body
        assert v.aid_record.person.full_name not in body
    # Its own stall, with the link to the phone page; not the chapter's stalls.
    assert reverse("voucher_redeem", args=[fair.pk, stall.pk]) in body
    assert "Gian quần áo" not in body and "Phát phiếu" not in body
    # Redeeming at its own stall still works, and the page then shows what it took in.
    url = reverse("voucher_redeem", args=[fair.pk, stall.pk])
    assert "Đã nhận phiếu" in client.post(url, {"code": first.code}).content.decode()
    after = client.get(reverse("fair_detail", args=[fair.pk])).content.decode()
    assert "500.000 đ" in after


def test_a_partner_login_lists_only_the_fairs_where_it_has_a_stall(
    client,
    fair,  # noqa: F811
    running,  # noqa: F811
    tree,
    people,
):
    _shop, user, _stall = _shop_login(fair, tree, people)
    other = vouchers.fair_create(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        unit=tree.hanoi,
        data=vouchers.FairData("Hội chợ không có siêu thị", TODAY, TODAY, 500_000),
    )
    login(client, user)
    listing = client.get(reverse("fair_list")).content.decode()
    assert fair.name in listing and other.name not in listing
    assert client.get(reverse("fair_detail", args=[other.pk])).status_code == 404


def test_a_viewer_reads_the_fair_but_a_login_without_data_view_does_not(
    client,
    fair,  # noqa: F811
    tree,
    people,
):
    issued = _issue(fair, people)
    viewer = make_user("xem", tree.hanoi, "viewer", "Phan Văn Xem")
    login(client, viewer)
    sheet = client.get(reverse("voucher_sheet", args=[fair.pk])).content.decode()
    assert vouchers.code_display(issued[0].code) in sheet
    # A partner_org role not linked to any partner organisation reads nothing of the fair.
    stray = make_user("lac", tree.hanoi, "partner_org", "Đỗ Văn Lạc")
    login(client, stray)
    for name in READS:
        assert client.get(reverse(name, args=[fair.pk])).status_code == 403, name


def test_a_partner_role_not_linked_to_an_organisation_sees_no_aid(
    client,
    fair,  # noqa: F811
    tree,
    people,
):
    issued = _issue(fair, people)
    stray = make_user("lac", tree.hanoi, "partner_org", "Đỗ Văn Lạc")
    login(client, stray)
    for name in ("aid_list", "aid_export", "fair_list"):
        assert client.get(reverse(name)).status_code == 403, name
    record = issued[0].aid_record
    assert client.get(reverse("aid_detail", args=[record.pk])).status_code == 403
