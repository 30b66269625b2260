"""Donors: search (folded names, tax code, phone), the list and its export, the donor page with
its whole history and a masked id number, contacts; duplicate pairs, merging (everything moves
to the survivor, audited) and "not the same" (never proposed again)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import donors as donor_services
from nhandao.funds import pledges, services
from nhandao.funds import selectors_donations as sel
from nhandao.funds.models import (
    Donation,
    Donor,
    DonorContact,
    DonorPairDecision,
    PaymentRequest,
    Pledge,
    Sponsorship,
)
from tests.conftest import actor, login
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _donor(people, unit, name, kind="individual", **extra):
    by = people.outsider if "Quảng Trị" in unit.name else people.hn_officer
    return services.donor_create(
        actor=actor(by),
        unit=unit,
        data=services.DonorData(kind=kind, name=name, **extra),
    )


def test_search_finds_folded_names_tax_codes_and_phones(tree, people, donor):
    other = _donor(people, tree.hanoi, "Nguyễn Thị Đào", phone="0987654321")
    officer = actor(people.hn_officer)
    assert list(sel.donor_list(user=officer, query="dao")) == [other]
    assert list(sel.donor_list(user=officer, query="hong ha")) == [donor]
    assert list(sel.donor_list(user=officer, query="cong ty")) == [donor]
    assert list(sel.donor_list(user=officer, query="0101234")) == [donor]
    assert list(sel.donor_list(user=officer, query="0987654321")) == [other]
    assert list(sel.donor_list(user=officer, kind="business")) == [donor]
    assert list(sel.donor_list(user=actor(people.outsider))) == []


def test_list_page_is_scoped_paginated_and_exports_xlsx(client, tree, people, donor):
    _donor(people, tree.quang_tri, "Trần Văn Quảng")
    login(client, people.hn_officer)
    page = client.get(reverse("donor_list"), {"q": "hồng hà"}).content.decode()
    assert "Công ty TNHH Thương mại Hồng Hà" in page
    assert "Trần Văn Quảng" not in page
    response = client.get(reverse("donor_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    cells = [str(c) for row in sheet.to_python() for c in row]
    assert "Công ty TNHH Thương mại Hồng Hà" in cells
    assert "Trần Văn Quảng" not in cells


def test_create_and_edit_through_the_pages(client, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("donor_create"),
        {"kind": "individual", "name": "  phạm   văn  an ", "id_number": "123"},
    )
    assert "12 chữ số" in response.content.decode()
    assert not Donor.objects.exists()
    response = client.post(
        reverse("donor_create"),
        {"kind": "individual", "name": "Phạm Văn An", "phone": "0911222333", "public_name": "on"},
    )
    created = Donor.objects.get()
    assert response.status_code == 302 and created.unit == tree.hanoi
    response = client.post(
        reverse("donor_edit", args=[created.pk]),
        {"kind": "individual", "name": "Phạm Văn An", "email": "an@example.vn"},
    )
    created.refresh_from_db()
    assert created.email == "an@example.vn" and created.public_name is False
    assert AuditEvent.objects.filter(object_id=str(created.pk), action="update").exists()


def test_donor_page_shows_history_and_masks_the_id_number(client, tree, people, appeal, give):
    person = _donor(people, tree.hanoi, "Lê Văn Bình", id_number="001090012345")
    give(appeal, 1_500_000, donor=person)
    pledges.pledge_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=pledges.PledgeData(
            donor=person, fund=appeal, amount=600_000, pledged_on=TODAY, count=2
        ),
    )
    login(client, people.hn_officer)
    page = client.get(reverse("donor_detail", args=[person.pk])).content.decode()
    assert "001090012345" in page
    assert "1.500.000 đ" in page and "600.000 đ" in page and "00001/" in page
    login(client, people.clerk)  # data entry in Hoàn Kiếm: the donor is out of its scope
    assert client.get(reverse("donor_detail", args=[person.pk])).status_code == 404
    # An auditor-like role without pii.view sees the mask.
    from nhandao.orgs.models import Role

    Role.objects.filter(pk="officer").update(
        permissions=[p for p in Role.objects.get(pk="officer").permissions if p != "pii.view"]
    )
    login(client, people.hn_officer)
    page = client.get(reverse("donor_detail", args=[person.pk])).content.decode()
    assert "001090012345" not in page and "0010******45" in page


def test_contacts_are_added_and_removed_with_an_audit(client, people, donor):
    login(client, people.hn_officer)
    client.post(
        reverse("donor_contact_add", args=[donor.pk]),
        {"name": "Đỗ Thị Lan", "position": "Kế toán", "email": "lan@hongha.vn"},
    )
    contact = DonorContact.objects.get(donor=donor)
    assert contact.position == "Kế toán"
    client.post(reverse("donor_contact_remove", args=[donor.pk, contact.pk]))
    assert not DonorContact.objects.exists()
    changes = [e.changes for e in AuditEvent.objects.filter(object_id=str(donor.pk))]
    assert {"contact_added": "Đỗ Thị Lan", "contact_id": contact.pk} in changes
    assert {"contact_removed": "Đỗ Thị Lan", "contact_id": contact.pk} in changes


# --- duplicates ------------------------------------------------------------------------------


def test_pairs_by_tax_code_name_and_phone_and_fuzzy_name(tree, people, donor):
    same_tax = _donor(people, tree.hanoi, "Cty Hồng Hà", kind="business", tax_code="0101234567")
    a = _donor(people, tree.hanoi, "Nguyễn Văn Nam", phone="0912000111")
    b = _donor(people, tree.hoan_kiem, "Nguyễn Văn Nam", phone="0912 000 111")
    fuzzy = _donor(people, tree.hanoi, "Công ty TNHH Thương mại Hồng Hải", kind="business")
    _donor(people, tree.hanoi, "Công ty TNHH Thương mại Hồng Hải", kind="organisation")
    _donor(people, tree.quang_tri, "Nguyễn Văn Nam", phone="0912000111")  # out of scope
    pairs = {p.key: p for p in donor_services.donor_pairs(user=actor(people.hn_officer))}
    assert f"{donor.pk}-{same_tax.pk}" in pairs
    assert "cùng mã số thuế" in pairs[f"{donor.pk}-{same_tax.pk}"].reasons
    assert "cùng tên và số điện thoại" in pairs[f"{a.pk}-{b.pk}"].reasons
    assert f"{donor.pk}-{fuzzy.pk}" in pairs  # same kind, names alike
    assert len(pairs) == 3  # never across kinds, never out of scope


def test_not_the_same_is_never_proposed_again(tree, people):
    a = _donor(people, tree.hanoi, "Trần Văn Hùng", phone="0900000001")
    b = _donor(people, tree.hanoi, "Trần Văn Hùng", phone="0900000001")
    officer = actor(people.hn_officer)
    assert len(donor_services.donor_pairs(user=officer)) == 1
    donor_services.donor_pair_reject(actor=officer, a=b, b=a)
    assert donor_services.donor_pairs(user=officer) == []
    decision = DonorPairDecision.objects.get()
    assert (decision.first_id, decision.second_id, decision.same) == (a.pk, b.pk, False)
    with pytest.raises(ApplicationError, match="đã được xem xét"):
        donor_services.donor_pair_reject(actor=officer, a=a, b=b)


def test_merge_moves_everything_to_the_survivor_and_is_audited(
    tree, people, appeal, give, register
):
    officer = actor(people.hn_officer)
    survivor = _donor(people, tree.hanoi, "Vũ Thị Mai", phone="0911000222")
    other = _donor(people, tree.hanoi, "Vũ Thị Mai", phone="0911000222", email="mai@example.vn")
    gift = give(appeal, 500_000, donor=other)
    pledge = pledges.pledge_create(
        actor=officer,
        unit=tree.hanoi,
        data=pledges.PledgeData(donor=other, fund=appeal, amount=300_000, pledged_on=TODAY),
    )
    beneficiary = register("Hoàng Văn Tư")
    sponsorship = Sponsorship.objects.create(
        unit=tree.hoan_kiem,
        donor=other,
        beneficiary=beneficiary,
        commitment="Học bổng",
        amount=200_000,
        frequency="monthly",
        starts_on=TODAY,
        token="t" * 32,
    )
    request = PaymentRequest.objects.create(
        fund=appeal, reference="UHTEST234", amount=100_000, donor=other
    )
    contact = DonorContact.objects.create(donor=other, name="Vũ Văn Khánh")
    earlier = _donor(people, tree.hanoi, "Vũ T. Mai")
    Donor.objects.filter(pk=earlier.pk).update(merged_into=other)

    donor_services.donor_merge(actor=officer, survivor=survivor, other=other)

    survivor.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into == survivor
    assert survivor.email == "mai@example.vn"  # a blank field filled from the other record
    assert Donation.objects.get(pk=gift.pk).donor == survivor
    assert Pledge.objects.get(pk=pledge.pk).donor == survivor
    assert Sponsorship.objects.get(pk=sponsorship.pk).donor == survivor
    assert PaymentRequest.objects.get(pk=request.pk).donor == survivor
    assert DonorContact.objects.get(pk=contact.pk).donor == survivor
    assert Donor.objects.get(pk=earlier.pk).merged_into == survivor
    assert DonorPairDecision.objects.get().same is True
    event = AuditEvent.objects.get(action="merge", object_id=str(survivor.pk))
    assert event.changes["moved"]["donations"] == [gift.pk]
    assert event.changes["moved"]["sponsorships"] == [sponsorship.pk]
    assert event.changes["counts"] == {
        "donations": 1,
        "pledges": 1,
        "sponsorships": 1,
        "payment_requests": 1,
        "contacts": 1,
    }
    # Merged records leave lists and searches; the survivor takes over their history.
    assert other not in sel.donor_list(user=officer, query="mai")
    assert donor_services.donor_pairs(user=officer) == []
    with pytest.raises(ApplicationError, match="đã được hợp nhất"):
        donor_services.donor_merge(actor=officer, survivor=survivor, other=other)


def test_review_pages_merge_and_redirect_the_merged_donor(client, tree, people):
    a = _donor(people, tree.hanoi, "Bùi Văn Sơn", email="son@example.vn")
    b = _donor(people, tree.hanoi, "Bùi Văn Sơn", email="son@example.vn")
    login(client, people.hn_officer)
    page = client.get(reverse("donor_duplicates")).content.decode()
    assert reverse("donor_pair", args=[a.pk, b.pk]) in page
    page = client.get(reverse("donor_pair", args=[a.pk, b.pk])).content.decode()
    assert "son@example.vn" in page and "side-by-side" in page
    response = client.post(
        reverse("donor_pair", args=[a.pk, b.pk]), {"decision": "same", "survivor": b.pk}
    )
    assert response.status_code == 302
    assert Donor.objects.get(pk=a.pk).merged_into_id == b.pk
    response = client.get(reverse("donor_detail", args=[a.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/donors/{b.pk}/")
    page = client.get(reverse("donor_list")).content.decode()
    assert reverse("donor_detail", args=[b.pk]) in page
    assert reverse("donor_detail", args=[a.pk]) not in page


def test_review_page_keeps_a_pair_apart(client, tree, people):
    a = _donor(people, tree.hanoi, "Đặng Thị Hà", phone="0933000444")
    b = _donor(people, tree.hanoi, "Đặng Thị Hà", phone="0933000444")
    login(client, people.hn_officer)
    client.post(reverse("donor_pair", args=[a.pk, b.pk]), {"decision": "different"})
    assert DonorPairDecision.objects.get().same is False
    assert "Đặng Thị Hà" not in client.get(reverse("donor_duplicates")).content.decode()
