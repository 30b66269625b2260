"""Personas: named users at each level of a small tree, shared by every test module.

Trung ương (root)
├── Hà Nội (province)          hn_admin: unit admin · hn_officer: officer
│   ├── phường Hoàn Kiếm       clerk: data entry
│   │   └── Chi hội Tổ dân phố số 1
│   └── phường Ba Đình
└── Quảng Trị (province)       outsider: officer
    └── xã Vĩnh Linh
        └── Chi hội thôn Hiền Lương
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from nhandao.core.text import person_sort_key_from_full
from nhandao.funds import public
from nhandao.orgs import services
from nhandao.orgs.models import Role, RoleAssignment, Unit, UnitKind, User

PASSWORD = "Mat-khau-thu-nghiem-2026"
POVERTY = ("poor", "near_poor")


@dataclass
class Tree:
    root: Unit
    hanoi: Unit
    hoan_kiem: Unit
    hk_branch: Unit
    ba_dinh: Unit
    quang_tri: Unit
    vinh_linh: Unit
    vl_branch: Unit

    def refresh(self) -> None:
        for name, unit in vars(self).items():
            setattr(self, name, Unit.objects.get(pk=unit.pk))


@dataclass
class People:
    national: User
    hn_admin: User
    hn_officer: User
    clerk: User
    outsider: User


def _add(parent: Unit, name: str, kind: str) -> Unit:
    return services.unit_bulk_add_children(parent=parent, units=[Unit(name=name, kind=kind)])[0]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the public pages and figures are kept per process
    under keys (a fund's id and counters) that a later test's data can repeat."""
    cache.clear()
    public.forget_all()
    yield
    cache.clear()
    public.forget_all()


@pytest.fixture
def tree(db) -> Tree:
    root = services.unit_create_root(name="Trung ương Hội Chữ thập đỏ Việt Nam", short_code="TW")
    hanoi = _add(root, "Hội Chữ thập đỏ thành phố Hà Nội", UnitKind.PROVINCE)
    hoan_kiem = _add(hanoi, "Hội Chữ thập đỏ phường Hoàn Kiếm", UnitKind.COMMUNE)
    hk_branch = _add(hoan_kiem, "Chi hội Tổ dân phố số 1", UnitKind.BRANCH)
    ba_dinh = _add(hanoi, "Hội Chữ thập đỏ phường Ba Đình", UnitKind.COMMUNE)
    quang_tri = _add(root, "Hội Chữ thập đỏ tỉnh Quảng Trị", UnitKind.PROVINCE)
    vinh_linh = _add(quang_tri, "Hội Chữ thập đỏ xã Vĩnh Linh", UnitKind.COMMUNE)
    vl_branch = _add(vinh_linh, "Chi hội thôn Hiền Lương", UnitKind.BRANCH)
    t = Tree(root, hanoi, hoan_kiem, hk_branch, ba_dinh, quang_tri, vinh_linh, vl_branch)
    t.refresh()
    return t


def make_user(username: str, unit: Unit, role: str, full_name: str = "") -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=full_name or username,
        sort_key=person_sort_key_from_full(full_name or username),
    )
    RoleAssignment.objects.create(user=user, unit=unit, role_id=role)
    return user


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        national=make_user("national", tree.root, Role.SYSTEM_ADMIN, "Quản trị Trung ương"),
        hn_admin=make_user("hn_admin", tree.hanoi, Role.UNIT_ADMIN, "Trần Thị Bình"),
        hn_officer=make_user("hn_officer", tree.hanoi, Role.OFFICER, "Lê Văn Cường"),
        clerk=make_user("clerk", tree.hoan_kiem, Role.DATA_ENTRY, "Vũ Văn Đào"),
        outsider=make_user("outsider", tree.quang_tri, Role.OFFICER, "Hoàng Văn Giang"),
    )


def login(client: Client, user: User) -> Client:
    """Sign a user in, with the second factor already passed (as after the TOTP step)."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_user(client: Client):
    def _as(user: User) -> Client:
        return login(Client(), user)

    return _as


def actor(user: User) -> User:
    """The user object as services see it inside a request (assignments resolved)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def register(tree, people):
    """Register a beneficiary as the Hà Nội officer (in Hoàn Kiếm unless told otherwise)."""
    from nhandao.beneficiaries import services as beneficiaries
    from nhandao.people.services import PersonData

    def _register(full_name: str, unit=None, by=None, groups=(), circumstances="", **person):
        profile = beneficiaries.ProfileData(
            groups=[
                beneficiaries.GroupEntry(g, 2025 if g in POVERTY else None, "2022–2025")
                for g in groups
            ],
            circumstances=circumstances,
        )
        return beneficiaries.beneficiary_register(
            actor=actor(by or people.hn_officer),
            unit=unit or tree.hoan_kiem,
            person=PersonData(full_name=full_name, **person),
            profile=profile,
        )

    return _register
