"""Lists of members and of youth members, for the one import pipeline (kinds ``members`` and
``youth``).

Each row names a person (name, birth, sex, citizen ID, phone). At the commit a row whose citizen
ID is already in the registry is that person; any other row becomes a new person through the
registry's checks. Every row is then written through the same services as the pages
(``member_register``, ``youth_register``: one membership per person, cards numbered once, the
school a school branch, audit). One refused row and nothing is written: the message names each
row."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.dates import InvalidDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold
from nhandao.imports import sql
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem, refuse_if_problems

PERSON_COLUMNS = (
    ColumnSpec("full_name", "Họ và tên", ("Họ tên", "Tên", "Họ và tên hội viên"), required=True),
    ColumnSpec("birth", "Ngày sinh", ("Năm sinh", "NS", "Ngày tháng năm sinh"), kind="date"),
    ColumnSpec("sex", "Giới tính", ("Nam/Nữ", "Phái"), kind="sex"),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số định danh", "Số CCCD/CMND"), kind="id"),
    ColumnSpec("phone", "Điện thoại", ("Số điện thoại", "SĐT", "ĐT"), kind="phone"),
)
MEMBER_COLUMNS = (
    *PERSON_COLUMNS,
    ColumnSpec("joined_on", "Ngày vào Hội", ("Ngày kết nạp", "Ngày vào hội"), kind="date"),
    ColumnSpec("card_no", "Số thẻ", ("Số thẻ hội viên", "Mã thẻ")),
)
YOUTH_COLUMNS = (
    *PERSON_COLUMNS,
    ColumnSpec("class_name", "Lớp", ("Lớp học",), required=True),
    ColumnSpec("school_year", "Năm học", ("Niên học",)),
)
SEX_WORDS = {"nam": "male", "nu": "female", "male": "male", "female": "female"}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _person_values(cells: dict[str, Cell], problems: list[Problem]) -> dict[str, Any]:
    text = {k: _text(v) for k, v in cells.items()}
    values: dict[str, Any] = {
        "full_name": text.get("full_name", ""),
        "birth": text.get("birth", ""),
        "sex": SEX_WORDS.get(fold(text.get("sex", "")), ""),
        "id_number": re.sub(r"\D", "", text.get("id_number", "")),
        "phone": text.get("phone", ""),
    }
    if len(values["full_name"]) < 2:
        problems.append(Problem("full_name", _("Chưa ghi họ và tên.")))
    return values


def _key(values: dict[str, Any]) -> str:
    if values["id_number"]:
        return f"id:{values['id_number']}"
    return f"nb:{fold(values['full_name'])}|{values['birth']}"


class MemberRowParser:
    def __init__(self, unit: Any) -> None:
        self.unit = unit

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        problems: list[Problem] = []
        values = _person_values(cells, problems)
        values["joined_on"] = None
        joined = cells.get("joined_on")
        if joined in (None, ""):
            problems.append(Problem("joined_on", _("Chưa ghi ngày vào Hội.")))
        else:
            try:
                values["joined_on"] = parse_date(joined).value.isoformat()  # type: ignore[arg-type]
            except (InvalidDate, ValueError) as exc:
                problems.append(Problem("joined_on", str(exc)))
        values["card_no"] = _text(cells.get("card_no"))[:30]
        return Parsed(values=values, natural_key="member:" + _key(values), problems=problems)


class YouthRowParser:
    def __init__(self, unit: Any) -> None:
        self.unit = unit

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        from .services import check_school_year, current_school_year

        problems: list[Problem] = []
        values = _person_values(cells, problems)
        values["class_name"] = _text(cells.get("class_name"))[:30]
        if not values["class_name"]:
            problems.append(Problem("class_name", _("Chưa ghi lớp.")))
        year = _text(cells.get("school_year")).replace(" ", "").replace("–", "-")
        values["school_year"] = year
        if year:
            try:
                check_school_year(year)
            except ApplicationError as exc:
                problems.append(Problem("school_year", exc.message))
        else:
            values["school_year"] = current_school_year()
        key = f"youth:{values['school_year']}|" + _key(values)
        return Parsed(values=values, natural_key=key, problems=problems)


def existing_keys(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Nothing is skipped as "already there": a person already a member (or a youth member of
    that school year) is refused at the commit, with the row named."""
    return set()


def registry_matches(scope: Any, items: Sequence[tuple[int, dict[str, Any]]]) -> dict[int, list]:
    return {}


def _rows(cursor: Any, rows_table: str) -> list[tuple[int, int, dict[str, Any]]]:
    cursor.execute(f"SELECT row_id, row_number, v FROM {rows_table} ORDER BY row_number")  # noqa: S608
    return [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in cursor]


def _people_by_id(numbers: set[str]) -> dict[str, Any]:
    from nhandao.people.models import Person

    found = Person.objects.filter(id_number__in=numbers, merged_into__isnull=True)
    return {p.id_number: p for p in found} if numbers else {}


def _write(
    cursor: Any,
    rows_table: str,
    results_table: str,
    record: Callable[[Any, dict[str, Any]], Any],
) -> int:
    from nhandao.people.services import PersonData

    rows = _rows(cursor, rows_table)
    known = _people_by_id({v["id_number"] for *_, v in rows if v["id_number"]})
    problems: list[str] = []
    results: list[tuple[int, int]] = []
    for row_id, number, v in rows:
        person = known.get(v["id_number"]) if v["id_number"] else None
        draft = person or PersonData(
            full_name=v["full_name"],
            birth=v["birth"],
            sex=v["sex"],
            id_number=v["id_number"],
            phone=v["phone"],
        )
        try:
            obj = record(draft, v)
        except ApplicationError as exc:
            problems.append(_("Dòng %(n)d") % {"n": number} + ": " + exc.message.rstrip("."))
            continue
        results.append((row_id, obj.pk))
    refuse_if_problems(problems)
    sql.bulk_load(cursor, results_table, ("row_id", "result_id"), results)
    return len(results)


def write_members(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    from . import services

    def record(person: Any, v: dict[str, Any]) -> Any:
        return services.member_register(
            actor=actor,
            unit=unit,
            person=person,
            joined_on=dt.date.fromisoformat(v["joined_on"]),
            card_no=v["card_no"],
        )

    return _write(cursor, rows_table, results_table, record)


def write_youth(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    from . import services

    def record(person: Any, v: dict[str, Any]) -> Any:
        return services.youth_register(
            actor=actor,
            unit=unit,
            person=person,
            school_year=v["school_year"],
            class_name=v["class_name"],
        )

    return _write(cursor, rows_table, results_table, record)


MEMBERS = ListSpec(
    kind="members",
    label=_("Danh sách hội viên"),
    columns=MEMBER_COLUMNS,
    parser=MemberRowParser,
    existing=existing_keys,
    matches=registry_matches,
    write=write_members,
    example_rows=(
        ("1", "Nguyễn Thị Lan", "12/03/1980", "Nữ", "", "0912345678", "15/05/2020", ""),
        ("2", "Trần Văn Bình", "1975", "Nam", "001075012345", "", "01/09/2024", ""),
    ),
    detail_url="member_detail",
)

YOUTH = ListSpec(
    kind="youth",
    label=_("Danh sách thanh thiếu niên Chữ thập đỏ"),
    columns=YOUTH_COLUMNS,
    parser=YouthRowParser,
    existing=existing_keys,
    matches=registry_matches,
    write=write_youth,
    example_rows=(
        ("1", "Lê Minh Anh", "05/09/2013", "Nam", "", "", "7A", "2026-2027"),
        ("2", "Phạm Thu Hà", "20/11/2012", "Nữ", "", "", "8B", "2026-2027"),
    ),
)
