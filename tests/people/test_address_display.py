"""An address shown from its parts leaves the empty ones out: a record imported with only an
old address (its hamlet unknown) shows "Xã …", not ", Xã …"."""

from __future__ import annotations

import pytest

from nhandao.geo.models import Ward
from nhandao.geo.services import geo_load_official
from nhandao.people.models import Household, Person, join_address


def test_join_address_leaves_empty_parts_out():
    assert join_address("", "Xã Vĩnh Linh", "Quảng Trị") == "Xã Vĩnh Linh, Quảng Trị"
    assert join_address("Tổ 5", "", "") == "Tổ 5"
    assert join_address("", "", "") == ""


@pytest.mark.django_db
def test_person_and_household_addresses():
    geo_load_official()
    ward = Ward.objects.select_related("province").filter(name__startswith="Xã").first()
    assert ward is not None
    person = Person(full_name="Lê Văn An", address_detail="", ward=ward)
    assert person.address_display == ward.name
    assert person.full_address == f"{ward.name}, {ward.province.name}"
    person.address_detail = "Thôn Hiền Lương"
    assert person.address_display == f"Thôn Hiền Lương, {ward.name}"
    assert Person(full_name="Lê Văn An", address_detail="Tổ 5").full_address == "Tổ 5"
    assert Household(address_detail="", ward=ward).address_display == ward.name
