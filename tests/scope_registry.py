"""Every URL and API path that takes an object id, with a maker of an object of that kind that lies
outside the Hà Nội subtree (in Quảng Trị). The scope test walks every route and fails for any route
not registered here: a new page is not done until it is.

Register with ``@register("url_name", ...)`` for pages and ``@register_api("/api/v1/path/{id}")``
for API paths; the function receives the ``tree`` and ``people`` fixtures and returns the kwargs
of the URL (e.g. ``{"pk": 42}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhandao.orgs import services
from nhandao.orgs.models import Role, RoleAssignment

Maker = Callable[[Any, Any], dict[str, Any]]
PAGES: dict[str, Maker] = {}
API: dict[str, Maker] = {}
PUBLIC: dict[str, Maker] = {}


def register(*names: str) -> Callable[[Maker], Maker]:
    def wrap(fn: Maker) -> Maker:
        for name in names:
            PAGES[name] = fn
        return fn

    return wrap


def register_public(*names: str) -> Callable[[Maker], Maker]:
    """Pages meant for anyone, without login (the disclosure site, a sponsor's private link):
    they are not scoped, so the out-of-scope test skips them; their own tests list every field
    they render and check that nothing private shows."""

    def wrap(fn: Maker) -> Maker:
        for name in names:
            PUBLIC[name] = fn
        return fn

    return wrap


def register_api(*paths: str) -> Callable[[Maker], Maker]:
    def wrap(fn: Maker) -> Maker:
        for path in paths:
            API[path] = fn
        return fn

    return wrap


@register(
    "unit_detail",
    "unit_children",
    "unit_history",
    "unit_create",
    "unit_edit",
    "unit_move",
    "unit_deactivate",
    "unit_merge",
    "unit_users",
)
def _unit(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": tree.vinh_linh.pk}


@register_api("/api/v1/units/{unit_id}", "/api/v1/units/{unit_id}/children")
def _api_unit(tree: Any, people: Any) -> dict[str, Any]:
    return {"unit_id": tree.vinh_linh.pk}


@register("user_detail")
def _user(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": people.outsider.pk}


@register("assignment_revoke")
def _assignment(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": RoleAssignment.objects.get(user=people.outsider).pk}


@register("token_revoke")
def _token(tree: Any, people: Any) -> dict[str, Any]:
    assignment = RoleAssignment.objects.get(user=people.outsider)
    token, _raw = services.token_create(actor=people.outsider, assignment=assignment, name="QT")
    return {"pk": token.pk}


assert Role  # imported for makers that later issues add


def _qt_beneficiary(tree: Any, people: Any) -> Any:
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.people.services import PersonData

    return beneficiaries.beneficiary_register(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Lê Thị Mận", birth="1950"),
        profile=beneficiaries.ProfileData(circumstances="Sống một mình"),
    )


@register("beneficiary_detail", "beneficiary_edit", "beneficiary_verify", "consent_add")
def _beneficiary(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_beneficiary(tree, people).pk}


@register("consent_withdraw")
def _consent(tree: Any, people: Any) -> dict[str, Any]:
    import datetime as dt

    from nhandao.beneficiaries import services as beneficiaries

    b = _qt_beneficiary(tree, people)
    consent = beneficiaries.consent_record(
        actor=people.outsider,
        beneficiary=b,
        purpose="Đăng trên trang công khai",
        given_on=dt.date(2026, 1, 5),
        method="paper",
    )
    return {"pk": b.pk, "consent_id": consent.pk}


@register_api("/api/v1/beneficiaries/{beneficiary_id}")
def _api_beneficiary(tree: Any, people: Any) -> dict[str, Any]:
    return {"beneficiary_id": _qt_beneficiary(tree, people).pk}


def _qt_import_job(tree: Any, people: Any) -> Any:
    from nhandao.imports.models import ImportFile, ImportJob

    job = ImportJob.objects.create(
        unit=tree.vinh_linh, kind="beneficiaries", filename="ds.csv", created_by=people.outsider
    )
    ImportFile.objects.create(job=job, content=b"Ho va ten\nLe Van A\n")
    return job


@register(
    "import_detail",
    "import_progress",
    "import_commit",
    "import_cancel",
    "import_revalidate",
    "import_errors",
    "import_workbook",
    "import_workbook_progress",
)
def _import_job(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_import_job(tree, people).pk}


@register("import_template")
def _import_template(tree: Any, people: Any) -> dict[str, Any]:
    return {"kind": "no-such-list"}  # not scoped data: only an unknown list answers 404


@register("linkage_progress")
def _linkage_run(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.linkage.models import LinkageRun

    return {"pk": LinkageRun.objects.create(unit=tree.vinh_linh).pk}


@register("pair_detail")
def _pair(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.linkage.models import CandidatePair

    a = _qt_beneficiary(tree, people).person
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.people.services import PersonData

    b = beneficiaries.beneficiary_register(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Le Thi Man", birth="1950"),
        profile=beneficiaries.ProfileData(),
    ).person
    pair = CandidatePair.objects.create(unit=tree.vinh_linh, a=a, b=b, score=0.6)
    return {"pk": pair.pk}


@register("household_create")
def _person(tree: Any, people: Any) -> dict[str, Any]:
    return {"person_pk": _qt_beneficiary(tree, people).person_id}


@register("household_detail", "household_member")
def _household(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.people.services import household_create

    person = _qt_beneficiary(tree, people).person
    household = household_create(actor=people.outsider, unit=tree.vinh_linh, head=person)
    return {"pk": household.pk}


@register("household_pair_detail")
def _household_pair(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.linkage.models import HouseholdPair
    from nhandao.people.services import household_create

    head = _qt_beneficiary(tree, people).person
    a = household_create(actor=people.outsider, unit=tree.vinh_linh, head=head, code="QT-1")
    b = household_create(actor=people.outsider, unit=tree.vinh_linh, code="QT-1")
    pair = HouseholdPair.objects.create(unit=tree.vinh_linh, a=a, b=b, score=0.9)
    return {"pk": pair.pk}


@register("beneficiary_photo")
def _photo(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.beneficiaries import services as beneficiaries

    b = _qt_beneficiary(tree, people)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    beneficiaries.beneficiary_set_photo(
        actor=people.outsider, beneficiary=b, name="a.png", data=png
    )
    return {"pk": b.pk}


# Each app's registrations live beside this file; importing them fills PAGES and API.
from tests import (  # noqa: E402, F401
    scope_aid,
    scope_blood,
    scope_blood_donors,
    scope_campaigns,
    scope_donations,
    scope_funds,
    scope_members,
    scope_portal,
    scope_sponsorships,
    scope_statements,
    scope_training,
    scope_volunteers,
    scope_vouchers,
)
