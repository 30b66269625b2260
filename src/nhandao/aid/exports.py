"""The workbook of aid records given (official layout: unit, title, columns, signatures).

Every cell is written as text or number, never as a formula (no formula injection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.workbooks import official_list

HEADERS = [
    ("STT", 5),
    ("Mã", 9),
    ("Họ và tên người nhận", 26),
    ("Năm sinh", 8),
    ("Địa chỉ", 32),
    ("Hình thức", 16),
    ("Giá trị (đồng)", 14),
    ("Nguồn", 22),
    ("Ngày trao", 11),
    ("Đơn vị trao", 26),
    ("Đợt trao", 26),
    ("Ghi chú", 22),
]
VALUE_COLUMN = 6  # "Giá trị (đồng)": summed in the "Cộng" row, voided records left out


def records_workbook(
    *, rows: Iterable[Any], unit_name: str, parent_name: str, campaign_name: str, today: dt.date
) -> bytes:
    records = list(rows)  # at most the export limit
    total = sum(rec.value for rec in records if not rec.voided_at)
    return official_list(
        title=_("DANH SÁCH HỖ TRỢ ĐÃ TRAO"),
        subtitle=[
            campaign_name or _("Tất cả phong trào"),
            _("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}",
        ],
        unit_name=unit_name,
        parent_name=parent_name,
        headers=HEADERS,
        rows=(_row(n, rec) for n, rec in enumerate(records, 1)),
        today=today,
        sheet_name=_("Hỗ trợ đã trao"),
        totals={VALUE_COLUMN: total},
    )


def _row(n: int, rec: Any) -> list[Any]:
    p = rec.person
    ward = f", {p.ward.name}" if p.ward_id else ""
    by = rec.partner.name if rec.partner_id else rec.recorded_unit.name
    source = rec.get_source_display() + (f": {rec.donor_name}" if rec.donor_name else "")
    note = rec.override_reason
    if rec.voided_at:
        note = _("Đã hủy: %s") % rec.void_reason
    return [
        str(n),
        f"P{p.pk}",
        p.full_name,
        str(p.birth_date.year) if p.birth_date else "",
        f"{p.address_detail}{ward}".strip(", "),
        rec.get_kind_display(),
        rec.value,
        source,
        f"{rec.given_on:%d/%m/%Y}",
        by,
        rec.distribution.title if rec.distribution_id else "",
        note,
    ]
