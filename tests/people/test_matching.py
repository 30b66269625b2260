"""The duplicate check while typing: one limited index lookup per key, then the scope."""

from __future__ import annotations

import pytest

from nhandao.people import matching, selectors
from nhandao.people.models import Person
from nhandao.people.services import PersonData, person_check
from tests.conftest import actor

pytestmark = pytest.mark.django_db


def _add(unit, **data) -> Person:
    values = person_check(PersonData(**data)).values
    return Person.objects.create(unit=unit, **values)


def _draft(**data) -> dict:
    return person_check(PersonData(**data)).values


def test_a_crowd_of_namesakes_cannot_hide_the_record_with_the_same_phone(tree, people):
    for i in range(matching.CANDIDATE_LIMIT + 15):
        _add(tree.hoan_kiem, full_name="Nguyễn Văn An", birth=str(1950 + i % 40))
    same = _add(tree.ba_dinh, full_name="Nguyễn Văn Ân", birth="1971", phone="0912345678")
    draft = _draft(full_name="Nguyen Van An", birth="1971", phone="0912 345 678")
    found = matching.candidates(draft)
    # name and name + year lookups are capped; the phone lookup still brings its row
    assert same.pk in {p.pk for p in found}
    assert len(found) <= sum(limit for _, limit in matching.KEY_LIMITS)
    ranked = matching.rank(draft, found)
    assert ranked[0].person.pk == same.pk and "trùng số điện thoại" in ranked[0].reasons


def test_merged_and_excluded_records_are_not_candidates(tree, people):
    a = _add(tree.hoan_kiem, full_name="Lê Thị Bình", birth="1960", id_number="001160012345")
    b = _add(tree.hoan_kiem, full_name="Lê Thị Bình", birth="1960")
    draft = _draft(full_name="Lê Thị Bình", birth="1960")
    assert {p.pk for p in matching.candidates(draft)} == {a.pk, b.pk}
    assert {p.pk for p in matching.candidates(draft, exclude_pk=a.pk)} == {b.pk}
    Person.objects.filter(pk=b.pk).update(merged_into=a)
    assert {p.pk for p in matching.candidates(draft)} == {a.pk}
    assert matching.candidates(_draft(full_name="Trần Văn Cư")) == []


def test_person_matches_lists_in_scope_and_counts_the_rest(tree, people):
    here = _add(tree.hoan_kiem, full_name="Phạm Văn Dũng", birth="12/05/1958")
    there = _add(tree.vinh_linh, full_name="Phạm Văn Dũng", birth="1958")
    draft = _draft(full_name="pham van dung", birth="12/5/1958")
    clerk = selectors.person_matches(user=actor(people.clerk), values=draft)
    assert [m.person.pk for m in clerk.matches] == [here.pk] and clerk.outside_scope == 1
    assert clerk.matches[0].person.unit.pk == tree.hoan_kiem.pk  # a full record, unit loaded
    national = selectors.person_matches(user=actor(people.national), values=draft)
    assert {m.person.pk for m in national.matches} == {here.pk, there.pk}
    assert national.outside_scope == 0
    outsider = selectors.person_matches(user=actor(people.outsider), values=draft)
    assert [m.person.pk for m in outsider.matches] == [there.pk] and outsider.outside_scope == 1


def test_full_dates_of_one_year_that_differ_are_weak_evidence():
    def points(mine: str, theirs: str) -> float:
        draft = _draft(full_name="Hoàng Văn Minh", birth=mine)
        other = Person(**_draft(full_name="Hoàng Văn Minh", birth=theirs))
        return matching.score(draft, other).score

    assert points("12/05/1958", "12/05/1958") == pytest.approx(0.60)
    assert points("12/05/1958", "05/12/1958") == pytest.approx(0.50)  # day and month swapped
    assert points("12/05/1958", "1958") == pytest.approx(0.50)  # only the year is known
    assert points("12/05/1958", "13/05/1958") == pytest.approx(0.45)  # a slip in the day
    assert points("12/05/1958", "03/09/1958") == pytest.approx(0.35)  # a namesake that year
    assert points("12/05/1958", "12/05/1968") == pytest.approx(0.15)


def test_a_draft_without_its_birth_date_yet_sees_the_namesake_of_its_commune(tree, people):
    """Typed "Lê Văn Tám" and picked the commune, no birth date yet: the Lê Văn Tám kept in
    that commune is shown (it was not until the year was typed); one in another commune, or a
    draft with a birth date that does not agree, is not."""
    from nhandao.geo.models import Ward
    from nhandao.geo.services import geo_load_official

    geo_load_official()
    ward, other = Ward.objects.order_by("code")[:2]
    kept = _add(tree.hoan_kiem, full_name="Lê Văn Tám", birth="1951", ward_id=ward.code)
    _add(tree.hoan_kiem, full_name="Lê Văn Tám", birth="1951", ward_id=other.code)
    draft = _draft(full_name="Lê Văn Tám", ward_id=ward.code)
    shown = selectors.person_matches(user=actor(people.clerk), values=draft).matches
    assert [m.person.pk for m in shown] == [kept.pk]
    dated = _draft(full_name="Lê Văn Tám", birth="1980", ward_id=ward.code)
    assert selectors.person_matches(user=actor(people.clerk), values=dated).matches == []


def test_a_phone_is_found_by_nine_digits_not_by_a_few(tree, people):
    """A masked phone shows its first three and last three digits: a search by a shorter run
    of digits must not confirm the hidden ones."""
    kept = _add(tree.hoan_kiem, full_name="Lê Văn An", phone="0912345678")
    found = set(selectors.person_list(user=actor(people.clerk), query="912345678"))
    assert found == {kept}
    assert set(selectors.person_list(user=actor(people.clerk), query="+84 912 345 678")) == {kept}
    assert not selectors.person_list(user=actor(people.clerk), query="345678").exists()
    assert not selectors.person_list(user=actor(people.clerk), query="2345678").exists()
