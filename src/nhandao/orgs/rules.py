"""Single-unit rules of the tree: which kind may sit under which, and what a valid name is."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from nhandao.core.errors import ApplicationError
from nhandao.core.text import nfc

from .models import UnitKind

K = UnitKind
ALLOWED_PARENTS: dict[str, set[str]] = {
    K.NATIONAL: set(),
    K.PROVINCE: {K.NATIONAL},
    K.DISTRICT: {K.PROVINCE},
    K.COMMUNE: {K.PROVINCE, K.DISTRICT},
    K.BRANCH: {K.NATIONAL, K.PROVINCE, K.DISTRICT, K.COMMUNE},
    K.GROUP: {K.BRANCH},
    K.TEAM: {K.NATIONAL, K.PROVINCE, K.DISTRICT, K.COMMUNE, K.BRANCH},
    K.CLUB: {K.NATIONAL, K.PROVINCE, K.DISTRICT, K.COMMUNE, K.BRANCH},
}
# Kinds whose units may be merged (the 2025 reorganisation merged provinces and communes).
MERGEABLE = {K.PROVINCE, K.DISTRICT, K.COMMUNE, K.BRANCH, K.GROUP}
NAME_MAX = 200
_FORBIDDEN = re.compile(r"[<>{}\x00-\x1f\x7f]")


def clean_unit_name(raw: str) -> str:
    name = nfc(raw or "")
    if len(name) < 2:
        raise ApplicationError(_("Tên đơn vị phải có ít nhất 2 ký tự."), field="name")
    if len(name) > NAME_MAX:
        raise ApplicationError(
            _("Tên đơn vị dài %(n)d ký tự, tối đa %(max)d ký tự.")
            % {"n": len(name), "max": NAME_MAX},
            field="name",
        )
    if _FORBIDDEN.search(name):
        raise ApplicationError(
            _("Tên đơn vị không được chứa các ký tự < > { } hoặc ký tự điều khiển."), field="name"
        )
    return name


def check_parent_kind(*, kind: str, parent_kind: str | None) -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ApplicationError(_("Loại đơn vị không hợp lệ."), field="kind")
    if parent_kind is None:
        if kind != K.NATIONAL:
            raise ApplicationError(_("Chỉ Trung ương Hội được ở gốc của cây."), field="parent")
        return
    if parent_kind not in allowed:
        raise ApplicationError(
            _("Không thể đặt «%(kind)s» trực thuộc «%(parent)s».")
            % {"kind": K(kind).label, "parent": K(parent_kind).label},
            field="parent",
        )
