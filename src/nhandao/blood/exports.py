"""Workbooks and documents of blood donation: donors, the honour list for the ceremony (.xlsx in
the official list layout and .docx through ``core.documents``), reminders (.xlsx and .csv for SMS
or calls) and statistics.

Every cell is written as text or number, never as a formula (no formula injection); a .csv cell
that a spreadsheet would read as a formula is prefixed with an apostrophe."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.core.masking import mask_phone
from nhandao.core.workbooks import Row, official_list


def _birth(person: Any) -> str:
    if person.birth_date is None:
        return ""
    if person.birth_precision == "year":
        return str(person.birth_date.year)
    if person.birth_precision == "month":
        return f"{person.birth_date:%m/%Y}"
    return f"{person.birth_date:%d/%m/%Y}"


def _address(person: Any) -> str:
    ward = f", {person.ward.name}" if person.ward_id else ""
    return f"{person.address_detail}{ward}".strip(", ")


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


# --- donors ----------------------------------------------------------------------------------

DONOR_HEADERS = [
    ("STT", 5),
    ("Mã thẻ", 11),
    ("Họ và tên", 26),
    ("Ngày sinh", 11),
    ("Giới tính", 8),
    ("Điện thoại", 13),
    ("Địa chỉ", 32),
    ("Nhóm máu", 8),
    ("Số lần hiến", 8),
    ("Lần hiến gần nhất", 12),
    ("Đơn vị quản lý", 26),
]


def donor_rows(donors: Iterable[Any], *, show_phone: bool) -> Iterable[Row]:
    for n, donor in enumerate(donors, 1):
        p = donor.person
        yield [
            str(n),
            donor.card_code,
            p.full_name,
            _birth(p),
            p.get_sex_display() if p.sex else "",
            p.phone if show_phone else mask_phone(p.phone),
            _address(p),
            donor.blood_group or "?",
            donor.donation_count,
            _d(donor.last_donation_on),
            donor.unit.name,
        ]


def donors_workbook(
    *, donors: Iterable[Any], unit_name: str, parent_name: str, today: dt.date, show_phone: bool
) -> bytes:
    return official_list(
        sheet_name=_("Người hiến máu"),
        title=_("Danh sách người hiến máu tình nguyện"),
        subtitle=_("(Số liệu đến ngày %s)") % f"{today:%d/%m/%Y}",
        unit_name=unit_name,
        parent_name=parent_name,
        headers=DONOR_HEADERS,
        rows=donor_rows(donors, show_phone=show_phone),
        today=today,
    )


# --- honours ---------------------------------------------------------------------------------

HONOUR_HEADERS = [
    ("STT", 5),
    ("Họ và tên / Gia đình", 28),
    ("Năm sinh", 9),
    ("Địa chỉ", 30),
    ("Số lần hiến", 9),
    ("Ngày đạt mốc", 12),
    ("Hình thức khen thưởng", 34),
    ("Cấp khen", 28),
    ("Số, ngày quyết định", 20),
    ("Ghi chú", 14),
]


def honour_name(honour: Any) -> str:
    if honour.donor_id:
        return str(honour.donor.person.full_name)
    household = honour.household
    head = getattr(household, "head", None)
    if head is not None:
        return _("Gia đình ông/bà %s") % head.full_name
    return _("Gia đình (mã hộ %s)") % (household.code or household.pk)


def honour_rows(honours: Iterable[Any]) -> list[Row]:
    rows: list[Row] = []
    for n, h in enumerate(honours, 1):
        person = h.donor.person if h.donor_id else None
        decision = ""
        if h.decision_no:
            decision = f"{h.decision_no}, {_d(h.awarded_on)}"
        rows.append(
            [
                str(n),
                honour_name(h),
                str(person.birth_date.year) if person and person.birth_date else "",
                _address(person) if person else "",
                h.count,
                _d(h.reached_on),
                h.rule.award,
                h.rule.awarding_body,
                decision,
                h.get_status_display(),
            ]
        )
    return rows


def honours_workbook(
    *, honours: Iterable[Any], unit_name: str, parent_name: str, year: int, today: dt.date
) -> bytes:
    return official_list(
        sheet_name=_("Tôn vinh"),
        title=_("Danh sách đề nghị tôn vinh, khen thưởng người hiến máu tình nguyện"),
        subtitle=_("Năm %s") % year,
        unit_name=unit_name,
        parent_name=parent_name,
        headers=HONOUR_HEADERS,
        rows=honour_rows(honours),
        today=today,
    )


def honours_document(
    *, honours: Iterable[Any], unit_name: str, parent_name: str, year: int, today: dt.date
) -> bytes:
    """The ceremony list as an official .docx: one table per awarding body and award."""
    from nhandao.core.documents import OfficialDocument, place_of

    doc = OfficialDocument(
        managing_body=parent_name,
        issuing_body=unit_name,
        doc_type="DS",
        place=place_of(unit_name),
        date=today,
        landscape=True,
    )
    doc.title(
        "DANH SÁCH",
        _("Đề nghị tôn vinh, khen thưởng người hiến máu tình nguyện năm %s") % year,
    )
    groups: dict[tuple[str, str], list[Any]] = {}
    for h in honours:
        groups.setdefault((h.rule.awarding_body, h.rule.award), []).append(h)
    if not groups:
        doc.paragraph(_("Chưa có người đạt mốc tôn vinh."))
    for part, ((body, award), items) in enumerate(groups.items(), 1):
        doc.heading(f"{part}. {award} ({body})")
        rows = [[r[0], r[1], r[2], r[3], str(r[4]), r[5], r[8]] for r in honour_rows(items)]
        doc.table(
            ["STT", "Họ và tên", "Năm sinh", "Địa chỉ", "Số lần hiến", "Ngày đạt", "Quyết định"],
            rows,
            widths_cm=[1.2, 5.5, 2, 7, 2, 2.6, 4],
            size=11,
        )
    doc.signature(on_behalf="TM. BAN THƯỜNG VỤ", position="CHỦ TỊCH", recipients=["Như trên"])
    return doc.render()


# --- reminders -------------------------------------------------------------------------------

REMINDER_HEADERS = [
    ("STT", 5),
    ("Mã thẻ", 11),
    ("Họ và tên", 26),
    ("Điện thoại", 13),
    ("Nhóm máu", 8),
    ("Lần hiến gần nhất", 12),
    ("Loại", 18),
    ("Nhận tin nhắn", 9),
    ("Nhận cuộc gọi", 9),
    ("Đơn vị quản lý", 26),
]


def reminder_rows(donors: Iterable[Any], *, show_phone: bool) -> Iterable[Row]:
    yes, no = _("Có"), pgettext("yes/no answer", "Không")
    for n, donor in enumerate(donors, 1):
        phone = donor.person.phone
        yield [
            str(n),
            donor.card_code,
            donor.person.full_name,
            phone if show_phone else mask_phone(phone),
            donor.blood_group or "?",
            _d(donor.last_donation_on),
            donor.get_last_donation_kind_display() if donor.last_donation_kind else "",
            yes if donor.contact_sms else no,
            yes if donor.contact_call else no,
            donor.unit.name,
        ]


def reminders_workbook(
    *, donors: Iterable[Any], unit_name: str, parent_name: str, today: dt.date, show_phone: bool
) -> bytes:
    return official_list(
        sheet_name=_("Nhắc hiến máu"),
        title=_("Danh sách người hiến máu đủ điều kiện hiến lại"),
        subtitle=_("(Tính đến ngày %s)") % f"{today:%d/%m/%Y}",
        unit_name=unit_name,
        parent_name=parent_name,
        headers=REMINDER_HEADERS,
        rows=reminder_rows(donors, show_phone=show_phone),
        today=today,
    )


def _csv_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def reminders_csv(*, donors: Iterable[Any], show_phone: bool) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it with the diacritics right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for label, _w in REMINDER_HEADERS])
    for row in reminder_rows(donors, show_phone=show_phone):
        writer.writerow([_csv_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- statistics ------------------------------------------------------------------------------


def stats_workbook(
    *, stats: Any, unit_name: str, parent_name: str, scope_label: str, today: dt.date
) -> bytes:
    month_rows = [
        [f"{m:02d}/{stats.year}", n, target, f"{100 * n / target:.0f}%" if target else ""]
        for m, n, target in stats.months
    ]
    month_rows.append(
        [
            _("Cả năm"),
            stats.total,
            stats.target,
            f"{stats.percent:.0f}%" if stats.percent is not None else "",
        ]
    )

    def more(book: Any) -> None:
        sheet = book.add_worksheet(_("Chi tiết"))
        bold = book.add_format({"bold": True, "font_name": "Times New Roman"})
        plain = book.add_format({"font_name": "Times New Roman"})
        r = 0
        for heading, rows in (
            (_("Theo nhóm máu"), stats.by_group),
            (
                _("Người hiến lần đầu và hiến nhắc lại"),
                [(_("Lần đầu"), stats.first_time), (_("Nhắc lại"), stats.repeat)],
            ),
            (_("Lý do tạm hoãn"), stats.deferrals),
        ):
            sheet.write_string(r, 0, heading, bold)
            r += 1
            for label, n in rows:
                sheet.write_string(r, 0, str(label), plain)
                sheet.write_number(r, 1, int(n), plain)
                r += 1
            r += 1
        sheet.set_column(0, 0, 40)

    return official_list(
        sheet_name=_("Theo tháng"),
        title=_("Kết quả tiếp nhận máu năm %s") % stats.year,
        subtitle=scope_label,
        unit_name=unit_name,
        parent_name=parent_name,
        headers=[("Tháng", 12), ("Đơn vị máu", 14), ("Chỉ tiêu", 14), ("Đạt", 10)],
        rows=month_rows,
        today=today,
        extra_sheets=more,
    )
