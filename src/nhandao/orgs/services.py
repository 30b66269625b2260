"""Every write to the chapter tree, users, role assignments and API tokens (ORG-1, ORG-2).

Each function is one use case: it checks permission with ``can``, runs in one transaction and
records what changed in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from nhandao.core.audit import audit_record, diff
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import (
    collation_key,
    fold,
    nfc,
    person_sort_key_from_full,
    title_name,
)

from .models import ApiToken, Role, RoleAssignment, Unit, UnitKind, User
from .permissions import can, can_below, scope_paths_for
from .rules import MERGEABLE, check_parent_kind, clean_unit_name

A = AuditEvent.Action
UNIT_FIELDS = (
    "name",
    "short_code",
    "kind",
    "category",
    "province_id",
    "ward_id",
    "address",
    "phone",
    "email",
    "is_active",
    "active_from",
    "active_to",
)


def _deny() -> ApplicationError:
    return ApplicationError(_("Bạn không có quyền thực hiện thao tác này tại đơn vị này."))


def _snapshot(unit: Unit) -> dict[str, Any]:
    return {f: getattr(unit, f) for f in UNIT_FIELDS}


def _set_keys(unit: Unit) -> None:
    unit.search_key = fold(unit.name)
    unit.sort_key = collation_key(unit.name)


def _clean_code(code: str | None) -> str | None:
    code = nfc(code or "").upper()
    if not code:
        return None
    if len(code) > 40 or not all(c.isalnum() or c in "-_." for c in code):
        raise ApplicationError(
            _("Mã đơn vị chỉ gồm chữ, số và - _ . (tối đa 40 ký tự)."), field="short_code"
        )
    return code


def _check_code_free(code: str | None, exclude_pk: int | None = None) -> None:
    if code and Unit.objects.filter(short_code=code).exclude(pk=exclude_pk).exists():
        raise ApplicationError(_("Mã đơn vị «%s» đã được dùng.") % code, field="short_code")


@transaction.atomic
def unit_create_root(*, name: str, short_code: str | None = None) -> Unit:
    """The national office: the one root of the tree (installation and demo only)."""
    if Unit.objects.get_root_nodes().exists():
        raise ApplicationError(_("Cây đơn vị đã có gốc."))
    unit = Unit(
        name=clean_unit_name(name), kind=UnitKind.NATIONAL, short_code=_clean_code(short_code)
    )
    _set_keys(unit)
    root: Unit = Unit.objects.add_root(instance=unit)
    audit_record(
        actor=None,
        action=A.CREATE,
        obj=root,
        unit_path=root.path,
        changes=diff({}, _snapshot(root)),
    )
    return root


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: Unit,
    name: str,
    kind: str,
    category: str = "",
    short_code: str | None = None,
    province_id: int | None = None,
    ward_id: int | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    active_from: dt.date | None = None,
) -> Unit:
    if not can(actor, "unit.manage", parent):
        raise _deny()
    if not parent.is_active:
        raise ApplicationError(_("Không thể tạo đơn vị dưới một đơn vị đã ngừng hoạt động."))
    check_parent_kind(kind=kind, parent_kind=parent.kind)
    code = _clean_code(short_code)
    _check_code_free(code)
    unit = Unit(
        name=clean_unit_name(name),
        kind=kind,
        category=category,
        short_code=code,
        province_id=province_id or parent.province_id,
        ward_id=ward_id,
        address=nfc(address),
        phone=nfc(phone),
        email=email.strip(),
        active_from=active_from,
    )
    _set_keys(unit)
    parent = Unit.objects.get(pk=parent.pk)  # fresh numchild/path for treebeard
    child: Unit = Unit.objects.add_child(parent, instance=unit)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=child,
        unit_path=child.path,
        changes=diff({}, _snapshot(child)),
    )
    return child


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **fields: Any) -> Unit:
    """Rename a unit or change its details (not its place in the tree)."""
    if not can(actor, "unit.manage", unit):
        raise _deny()
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = _snapshot(unit)
    allowed = {
        "name",
        "short_code",
        "category",
        "province_id",
        "ward_id",
        "address",
        "phone",
        "email",
        "active_from",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("Trường không sửa được: %s") % ", ".join(sorted(unknown)))
    if "name" in fields:
        fields["name"] = clean_unit_name(fields["name"])
    if "short_code" in fields:
        fields["short_code"] = _clean_code(fields["short_code"])
        _check_code_free(fields["short_code"], exclude_pk=unit.pk)
    for key, value in fields.items():
        setattr(unit, key, nfc(value) if isinstance(value, str) and key != "email" else value)
    _set_keys(unit)
    unit.save()
    changes = diff(before, _snapshot(unit))
    if changes:
        audit_record(actor=actor, action=A.UPDATE, obj=unit, unit_path=unit.path, changes=changes)
    return unit


@transaction.atomic
def unit_move(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if not can_below(actor, "unit.manage", unit) or not can(actor, "unit.manage", new_parent):
        raise _deny()
    if new_parent.path.startswith(unit.path):
        raise ApplicationError(
            _("Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc của nó."),
            field="parent",
        )
    if not new_parent.is_active:
        raise ApplicationError(_("Đơn vị nhận đã ngừng hoạt động."), field="parent")
    check_parent_kind(kind=unit.kind, parent_kind=new_parent.kind)
    old_parent = Unit.objects.get_parent(unit)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ApplicationError(_("Đơn vị đã trực thuộc đơn vị này."), field="parent")
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit = Unit.objects.get(pk=unit.pk)
    audit_record(
        actor=actor,
        action=A.MOVE,
        obj=unit,
        unit_path=unit.path,
        changes={"parent": [str(old_parent) if old_parent else None, str(new_parent)]},
    )
    return unit


@transaction.atomic
def unit_deactivate(*, actor: Any, unit: Unit, end_date: dt.date, reason: str = "") -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not can_below(actor, "unit.manage", unit):
        raise _deny()
    if not unit.is_active:
        raise ApplicationError(_("Đơn vị đã ngừng hoạt động từ trước."))
    active_children = Unit.objects.filter(
        path__startswith=unit.path, depth=unit.depth + 1, is_active=True
    ).count()
    if active_children:
        raise ApplicationError(
            _(
                "Còn %(n)d đơn vị trực thuộc đang hoạt động: hãy chuyển hoặc ngừng hoạt động "
                "chúng trước."
            )
            % {"n": active_children}
        )
    before = _snapshot(unit)
    unit.is_active = False
    unit.active_to = end_date
    unit.save(update_fields=["is_active", "active_to", "updated_at"])
    changes = diff(before, _snapshot(unit))
    if reason:
        changes["reason"] = [None, nfc(reason)]
    audit_record(actor=actor, action=A.DEACTIVATE, obj=unit, unit_path=unit.path, changes=changes)
    return unit


@transaction.atomic
def unit_merge(
    *, actor: Any, sources: list[Unit], target: Unit, merge_date: dt.date, new_name: str = ""
) -> Unit:
    """Merge units into ``target`` (as the 2025 reorganisation did with communes).

    Active sub-units of the merged units move under the target; each merged unit becomes inactive,
    ends on ``merge_date``, points to the target ("merged into") and is kept under the target, so
    its records stay in the target's subtree.
    """
    target = Unit.objects.get(pk=target.pk)
    if not sources:
        raise ApplicationError(_("Hãy chọn ít nhất một đơn vị để hợp nhất."), field="sources")
    if not can(actor, "unit.merge", target):
        raise _deny()
    if target.kind not in MERGEABLE:
        raise ApplicationError(
            _("Không hợp nhất được đơn vị loại «%s».") % UnitKind(target.kind).label
        )
    if not target.is_active:
        raise ApplicationError(_("Đơn vị nhận hợp nhất đã ngừng hoạt động."))
    fresh = [Unit.objects.get(pk=s.pk) for s in sources]
    for src in fresh:
        if src.pk == target.pk:
            raise ApplicationError(_("Không thể hợp nhất một đơn vị vào chính nó."))
        if not can_below(actor, "unit.merge", src):
            raise _deny()
        if src.kind != target.kind:
            raise ApplicationError(
                _(
                    "«%(src)s» (%(sk)s) và «%(dst)s» (%(dk)s) khác cấp: chỉ hợp nhất các đơn vị "
                    "cùng cấp."
                )
                % {
                    "src": src.name,
                    "sk": UnitKind(src.kind).label,
                    "dst": target.name,
                    "dk": UnitKind(target.kind).label,
                }
            )
        if target.path.startswith(src.path) or src.path.startswith(target.path):
            raise ApplicationError(_("«%s» là cấp trên hoặc cấp dưới của đơn vị nhận.") % src.name)
        if not src.is_active:
            raise ApplicationError(_("«%s» đã ngừng hoạt động.") % src.name)
    if new_name:
        target = unit_update(actor=actor, unit=target, name=new_name)
    for src in fresh:
        src = Unit.objects.get(pk=src.pk)
        children = list(
            Unit.objects.filter(path__startswith=src.path, depth=src.depth + 1, is_active=True)
        )
        for child in children:
            Unit.objects.move(
                Unit.objects.get(pk=child.pk), Unit.objects.get(pk=target.pk), pos="last-child"
            )
        src = Unit.objects.get(pk=src.pk)
        src.is_active = False
        src.active_to = merge_date
        src.merged_into = target
        src.save(update_fields=["is_active", "active_to", "merged_into", "updated_at"])
        Unit.objects.move(
            Unit.objects.get(pk=src.pk), Unit.objects.get(pk=target.pk), pos="last-child"
        )
        src = Unit.objects.get(pk=src.pk)
        audit_record(
            actor=actor,
            action=A.MERGE,
            obj=src,
            unit_path=src.path,
            changes={
                "merged_into": [None, target.name],
                "is_active": [True, False],
                "active_to": [None, merge_date.isoformat()],
                "moved_children": [None, [c.name for c in children]],
            },
        )
    target = Unit.objects.get(pk=target.pk)
    audit_record(
        actor=actor,
        action=A.MERGE,
        obj=target,
        unit_path=target.path,
        changes={"merged_from": [None, [s.name for s in fresh]]},
    )
    return target


# --- users and role assignments -------------------------------------------------------------


def _check_grant(actor: Any, unit: Unit, role: Role) -> None:
    if not can(actor, "user.manage", unit):
        raise _deny()
    if role.code == Role.SYSTEM_ADMIN and scope_paths_for(actor) is not None:
        raise ApplicationError(_("Chỉ quản trị hệ thống được cấp vai trò quản trị hệ thống."))
    if not unit.is_active:
        raise ApplicationError(_("Không phân quyền tại đơn vị đã ngừng hoạt động."))


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    password: str,
    unit: Unit,
    role: Role,
    email: str = "",
    phone: str = "",
) -> User:
    _check_grant(actor, unit, role)
    username = nfc(username).lower()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "._-@" for c in username):
        raise ApplicationError(
            _("Tên đăng nhập chỉ gồm chữ không dấu, số và . _ - @."), field="username"
        )
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("Tên đăng nhập «%s» đã có người dùng.") % username, field="username"
        )
    user = User(
        username=username,
        full_name=title_name(full_name),
        email=email.strip(),
        phone=nfc(phone),
        sort_key=person_sort_key_from_full(full_name),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=user,
        unit_path=unit.path,
        changes={"username": [None, username], "full_name": [None, user.full_name]},
    )
    assignment_grant(actor=actor, user=user, unit=unit, role=role)
    return user


@transaction.atomic
def assignment_grant(*, actor: Any, user: User, unit: Unit, role: Role) -> RoleAssignment:
    _check_grant(actor, unit, role)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"created_by": actor}
    )
    if not created and assignment.is_active:
        raise ApplicationError(_("Người dùng đã có vai trò này tại đơn vị này."))
    if not created:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=A.GRANT,
        obj=user,
        unit_path=unit.path,
        changes={"role": [None, role.name], "unit": [None, unit.name]},
    )
    return assignment


@transaction.atomic
def assignment_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    if not can(actor, "user.manage", assignment.unit):
        raise _deny()
    if assignment.user_id == actor.pk and assignment.role.code in (
        Role.SYSTEM_ADMIN,
        Role.UNIT_ADMIN,
    ):
        raise ApplicationError(_("Bạn không thể tự thu hồi quyền quản trị của chính mình."))
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    assignment.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action=A.REVOKE,
        obj=assignment.user,
        unit_path=assignment.unit.path,
        changes={"role": [assignment.role.name, None], "unit": [assignment.unit.name, None]},
    )
    return assignment


# --- API tokens --------------------------------------------------------------------------------

TOKEN_PREFIX = "nd_"  # noqa: S105 - a public marker, not a secret


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _may_manage_token(actor: Any, assignment: RoleAssignment) -> bool:
    return assignment.user_id == actor.pk or can(actor, "user.manage", assignment.unit)


@transaction.atomic
def token_create(*, actor: Any, assignment: RoleAssignment, name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw key is returned once and never stored."""
    if not _may_manage_token(actor, assignment) or not assignment.is_active:
        raise _deny()
    name = nfc(name)
    if not name or len(name) > 100:
        raise ApplicationError(_("Tên khóa phải có từ 1 đến 100 ký tự."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=assignment.user,
        assignment=assignment,
        name=name,
        prefix=raw[:10],
        key_hash=_hash_key(raw),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.GRANT,
        obj=token,
        unit_path=assignment.unit.path,
        changes={"api_token": [None, token.prefix]},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if not _may_manage_token(actor, token.assignment):
        raise _deny()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=A.REVOKE,
            obj=token,
            unit_path=token.assignment.unit.path,
            changes={"api_token": [token.prefix, None]},
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """The user a bearer key acts for (with its assignment set as active), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.filter(
            key_hash=_hash_key(raw),
            revoked_at__isnull=True,
            assignment__is_active=True,
            user__is_active=True,
        )
        .select_related("user", "assignment__unit", "assignment__role")
        .first()
    )
    if token is None or not token.assignment.unit.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.active_assignment = token.assignment
    return user


@transaction.atomic
def unit_bulk_add_children(*, parent: Unit, units: list[Unit]) -> list[Unit]:
    """Append many children under one parent in a few set-based queries (installation, imports,
    demo and benchmark data). Names are cleaned and keys set as in ``unit_create``; kinds checked.
    """
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    last = (
        Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    position = Unit._str2int(last[-Unit.steplen :]) if last else 0
    depth = parent.depth + 1
    for unit in units:
        check_parent_kind(kind=unit.kind, parent_kind=parent.kind)
        unit.name = clean_unit_name(unit.name)
        _set_keys(unit)
        position += 1
        unit.path = Unit._get_path(parent.path, depth, position)
        unit.depth = depth
        unit.numchild = 0
        if unit.province_id is None:
            unit.province_id = parent.province_id
    Unit.objects.bulk_create(units, batch_size=1000)
    Unit.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(units))
    audit_record(
        actor=None,
        action=A.CREATE,
        obj=parent,
        unit_path=parent.path,
        changes={"children_added": [None, len(units)]},
    )
    return units


# --- second factor -----------------------------------------------------------------------------


def totp_device_for(*, user: User) -> tuple[TOTPDevice, bool]:
    """The user's confirmed TOTP device, or a pending one to enrol (second value True)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return device, False
    pending, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return pending, True


@transaction.atomic
def totp_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a code (django-otp throttles failures); the first success confirms enrolment."""
    if not device.verify_token(token.strip()):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=device.user,
            action=A.GRANT,
            obj=device.user,
            changes={"second_factor": [None, "TOTP"]},
        )
    return True
