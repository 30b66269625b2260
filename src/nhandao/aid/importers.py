"""A list of aid given (who received what, when), for the one import pipeline.

Each row names a campaign (its number or its exact name), the recipient (the code printed on an
acknowledgement list such as "P123", a citizen ID, or a name with the birth year), the kind of
aid, its value and its date. The rows are parsed once each without the database; at the commit
the recipients and campaigns are found with one query per way of naming them, and every row is
recorded through ``services.aid_record`` (the same checks as a page: campaign window and area,
overlap refused by the database, audit). One unknown recipient or one refused gift and nothing
is written: the message names each row."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.dates import InvalidDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.money import parse_vnd
from nhandao.core.text import fold
from nhandao.imports import sql
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem, refuse_if_problems

from .models import AidKind, Source

COLUMNS = (
    ColumnSpec("campaign", "Phong trào", ("Mã phong trào", "Đợt vận động", "Chương trình")),
    ColumnSpec("code", "Mã người nhận", ("Mã", "Mã số", "Mã in trên danh sách")),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số định danh", "Số CCCD/CMND"), kind="id"),
    ColumnSpec(
        "full_name", "Họ và tên", ("Họ tên", "Họ và tên người nhận", "Họ tên chủ hộ", "Tên")
    ),
    ColumnSpec("birth", "Năm sinh", ("Ngày sinh", "NS")),
    ColumnSpec("kind", "Hình thức", ("Loại hỗ trợ", "Hình thức hỗ trợ", "Nội dung")),
    ColumnSpec("value", "Giá trị", ("Số tiền", "Giá trị (đồng)", "Thành tiền"), kind="money"),
    ColumnSpec("given_on", "Ngày trao", ("Ngày nhận", "Ngày"), kind="date"),
    ColumnSpec("donor", "Nhà tài trợ", ("Nguồn", "Đơn vị tài trợ")),
)

# Folded words naming a kind of aid in the lists units keep.
KIND_WORDS = [
    ("tien mat", AidKind.CASH),
    ("tien", AidKind.CASH),
    ("phieu", AidKind.VOUCHER),
    ("nha", AidKind.HOUSE),
    ("sinh ke", AidKind.LIVELIHOOD),
    ("bo", AidKind.LIVELIHOOD),
    ("y te", AidKind.MEDICAL),
    ("kham", AidKind.MEDICAL),
    ("hang", AidKind.GOODS),
    ("gao", AidKind.GOODS),
    ("nhu yeu pham", AidKind.GOODS),
    ("qua", AidKind.GIFT),
]
_CODE = re.compile(r"^[Pp]\s*(\d{1,18})$")


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def parse_kind(text: str) -> str | None:
    if not text:
        return AidKind.GIFT
    key = f" {fold(text)} "
    if text in AidKind.values:
        return text
    for word, kind in KIND_WORDS:
        if f" {word} " in key:
            return str(kind)
    return None


class RowParser:
    def __init__(self, unit: Any) -> None:
        self.unit = unit
        self.kinds: dict[str, str | None] = {}

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        problems: list[Problem] = []
        text = {k: _text(v) for k, v in cells.items()}
        values: dict[str, Any] = {"campaign": text.get("campaign", "")}
        if not values["campaign"]:
            problems.append(Problem("campaign", _("Chưa ghi phong trào.")))
        code = text.get("code", "")
        match = _CODE.match(code) if code else None
        if code and match is None:
            problems.append(Problem("code", _("Mã «%s» không đúng dạng (ví dụ P123).") % code))
        values["person_pk"] = int(match.group(1)) if match else None
        values["id_number"] = re.sub(r"\D", "", text.get("id_number", ""))
        values["name_key"] = fold(text.get("full_name", ""))
        values["full_name"] = text.get("full_name", "")
        birth = text.get("birth", "")
        years = re.findall(r"\d{4}", birth)
        values["birth_year"] = int(years[-1]) if years else None
        if not (values["person_pk"] or values["id_number"] or values["name_key"]):
            problems.append(
                Problem("full_name", _("Cần mã người nhận, số CCCD hoặc họ tên và năm sinh."))
            )
        elif not (values["person_pk"] or values["id_number"]) and not values["birth_year"]:
            problems.append(Problem("birth", _("Chỉ có họ tên: cần thêm năm sinh.")))
        kind_text = text.get("kind", "")
        kind = self.kinds.get(kind_text, "?")
        if kind == "?":
            kind = self.kinds[kind_text] = parse_kind(kind_text)
        if kind is None:
            problems.append(Problem("kind", _("Không rõ hình thức hỗ trợ «%s».") % kind_text))
        values["kind"] = kind
        raw_value = cells.get("value")
        try:
            value = (
                int(raw_value)
                if isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool)
                else parse_vnd(text.get("value", "") or "0")
            )
        except ValueError as exc:
            problems.append(Problem("value", str(exc)))
            value = 0
        if value < 0:
            problems.append(Problem("value", _("Giá trị không được âm.")))
        values["value"] = value
        given = cells.get("given_on")
        values["given_on"] = None
        if given not in (None, ""):
            try:
                values["given_on"] = parse_date(given).value.isoformat()  # type: ignore[arg-type]
            except (InvalidDate, ValueError) as exc:
                problems.append(Problem("given_on", str(exc)))
        values["donor"] = text.get("donor", "")[:255]
        who = (
            f"p:{values['person_pk']}"
            if values["person_pk"]
            else f"id:{values['id_number']}"
            if values["id_number"]
            else f"nb:{values['name_key']}|{values['birth_year']}"
        )
        return Parsed(
            values=values,
            natural_key=f"aid:{values['campaign']}|{who}|{kind}|{values['given_on']}",
            problems=problems,
        )


def existing_keys(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Nothing is skipped as "already there": a gift recorded twice is refused by the overlap
    rule at the commit, with its row named."""
    return set()


def registry_matches(scope: Any, items: Sequence[tuple[int, dict[str, Any]]]) -> dict[int, list]:
    return {}


def write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Record every staged row (see the module's docstring); all or nothing."""
    import json

    from . import services

    cursor.execute(f"SELECT row_id, row_number, v FROM {rows_table} ORDER BY row_number")  # noqa: S608
    rows = [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in cursor]
    recipients = services.import_recipients(actor=actor, unit=unit, rows=[v for *_, v in rows])
    campaigns = services.import_campaigns(actor=actor, names={v["campaign"] for *_, v in rows})
    problems: list[str] = []
    results: list[tuple[int, int]] = []
    for (row_id, number, v), person in zip(rows, recipients, strict=True):
        where = _("Dòng %(n)d") % {"n": number}
        campaign = campaigns.get(v["campaign"])
        if campaign is None:
            problems.append(f"{where}: " + _("không có phong trào «%s».") % v["campaign"])
            continue
        if isinstance(person, str):
            problems.append(f"{where}: {person}")
            continue
        data = services.AidData(
            kind=v["kind"],
            value=v["value"],
            given_on=dt.date.fromisoformat(v["given_on"]) if v["given_on"] else None,
            source=Source.DONOR if v["donor"] else Source.CAMPAIGN,
            donor_name=v["donor"],
            acknowledgement="signed_list",
        )
        try:
            record = services.aid_record(actor=actor, campaign=campaign, person=person, data=data)
        except ApplicationError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        results.append((row_id, record.pk))
    refuse_if_problems(problems)
    sql.bulk_load(cursor, results_table, ("row_id", "result_id"), results)
    return len(results)


AID = ListSpec(
    kind="aid",
    label=_("Danh sách nhận hỗ trợ"),
    columns=COLUMNS,
    parser=RowParser,
    existing=existing_keys,
    matches=registry_matches,
    write=write,
    example_rows=(
        ("1", "Tết Nhân ái Xuân Đinh Mùi 2027", "P123", "", "", "", "Quà", "500.000", "", ""),
        (
            "2",
            "Tết Nhân ái Xuân Đinh Mùi 2027",
            "",
            "001056012345",
            "Trần Văn Bình",
            "1956",
            "Tiền mặt",
            "1.000.000",
            "25/01/2027",
            "Ngân hàng Á Châu",
        ),
    ),
    detail_url="aid_detail",
)
