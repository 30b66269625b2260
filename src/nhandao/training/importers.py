"""A list of a course's participants, for the one import pipeline (list kind
``course_participants``).

Each row names the course (its number "Mã lớp" or its exact title, a course of the unit of the
import or below), the person (the code "P123" of the registry, a citizen ID, or a name with the
birth year; people in the importing user's scope under the unit), and optionally the days
attended, the result (Đạt / Không đạt) and the score. At the commit every row goes through
``services.participant_add`` and ``services.participant_record`` (the same checks as the pages,
audited); one problem and nothing is written: the message names each row."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold
from nhandao.imports import sql
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem, refuse_if_problems
from nhandao.people import selectors as people

from . import selectors, services
from .models import Result

COLUMNS = (
    ColumnSpec("course", "Lớp tập huấn", ("Mã lớp", "Tên lớp", "Lớp")),
    ColumnSpec("code", "Mã người", ("Mã", "Mã số")),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số định danh", "Số CCCD/CMND"), kind="id"),
    ColumnSpec("full_name", "Họ và tên", ("Họ tên", "Tên học viên", "Học viên")),
    ColumnSpec("birth", "Năm sinh", ("Ngày sinh", "NS")),
    ColumnSpec("attended_days", "Số buổi tham dự", ("Số buổi", "Số ngày tham dự")),
    ColumnSpec("result", "Kết quả", ("Đánh giá", "Xếp loại")),
    ColumnSpec("score", "Điểm", ("Điểm thi", "Điểm kiểm tra")),
)
_CODE = re.compile(r"^[Pp]\s*(\d{1,18})$")
RESULT_WORDS = {"dat": Result.PASSED, "khong dat": Result.FAILED, "": Result.NONE}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _parse_row(cells: dict[str, Cell]) -> Parsed:
    problems: list[Problem] = []
    text = {k: _text(v) for k, v in cells.items()}
    values: dict[str, Any] = {"course": text.get("course", "")}
    if not values["course"]:
        problems.append(Problem("course", _("Chưa ghi lớp tập huấn.")))
    code = text.get("code", "")
    match = _CODE.match(code) if code else None
    if code and match is None:
        problems.append(Problem("code", _("Mã «%s» không đúng dạng (ví dụ P123).") % code))
    values["person_pk"] = int(match.group(1)) if match else None
    values["id_number"] = re.sub(r"\D", "", text.get("id_number", ""))
    values["full_name"] = text.get("full_name", "")
    values["name_key"] = fold(values["full_name"])
    years = re.findall(r"\d{4}", text.get("birth", ""))
    values["birth_year"] = int(years[-1]) if years else None
    if not (values["person_pk"] or values["id_number"] or values["name_key"]):
        problems.append(Problem("full_name", _("Cần mã người, số CCCD hoặc họ tên và năm sinh.")))
    elif not (values["person_pk"] or values["id_number"]) and not values["birth_year"]:
        problems.append(Problem("birth", _("Chỉ có họ tên: cần thêm năm sinh.")))
    days = text.get("attended_days", "") or "0"
    values["attended_days"] = int(days) if days.isdigit() else 0
    if not days.isdigit():
        problems.append(Problem("attended_days", _("Số buổi «%s» không phải số.") % days))
    result = RESULT_WORDS.get(fold(text.get("result", "")))
    if result is None:
        problems.append(
            Problem("result", _("Kết quả «%s»: ghi Đạt hoặc Không đạt.") % text["result"])
        )
    values["result"] = str(result or "")
    score = text.get("score", "").replace(",", ".")
    values["score"] = None
    if score:
        try:
            values["score"] = str(Decimal(score).quantize(Decimal("0.1")))
        except InvalidOperation:
            problems.append(Problem("score", _("Điểm «%s» không phải số.") % score))
    who = (
        values["person_pk"] or values["id_number"] or f"{values['name_key']}|{values['birth_year']}"
    )
    return Parsed(values=values, natural_key=f"tp:{values['course']}|{who}", problems=problems)


def row_parser(unit: Any) -> Any:
    return _parse_row


def existing_keys(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Nothing is skipped: a person already in the course is refused at the commit, by row."""
    return set()


def registry_matches(scope: Any, items: Sequence[tuple[int, dict[str, Any]]]) -> dict[int, list]:
    return {}


def _find_courses(actor: Any, unit: Any, names: set[str]) -> dict[str, Any]:
    courses = selectors.course_list(user=actor, filters=selectors.CourseFilters(unit=unit))
    ids = {int(n) for n in names if n.isdigit()}
    found: dict[str, Any] = {}
    for c in courses.filter(pk__in=ids):
        found[str(c.pk)] = c
    by_title: dict[str, list[Any]] = {}
    for c in courses.filter(title__in=names - set(found)):
        by_title.setdefault(c.title, []).append(c)
    for title, matches in by_title.items():
        found[title] = matches[0] if len(matches) == 1 else None  # None: more than one
    return found


def _find_people(actor: Any, unit: Any, rows: list[dict[str, Any]]) -> list[Any]:
    base = people.person_list(user=actor).filter(unit__path__startswith=unit.path)
    codes = {r["person_pk"] for r in rows if r["person_pk"]}
    ids = {r["id_number"] for r in rows if r["id_number"]}
    names = {r["name_key"] for r in rows if not r["person_pk"] and not r["id_number"]}
    by_pk = {p.pk: [p] for p in base.filter(pk__in=codes)} if codes else {}
    by_id: dict[str, list[Any]] = {}
    for p in base.filter(id_number__in=ids) if ids else []:
        by_id.setdefault(p.id_number, []).append(p)
    by_name: dict[tuple[str, int | None], list[Any]] = {}
    for p in base.filter(name_key__in=names) if names else []:
        by_name.setdefault((p.name_key, p.birth_date.year if p.birth_date else None), []).append(p)
    out: list[Any] = []
    for r in rows:
        if r["person_pk"]:
            found, who = by_pk.get(r["person_pk"], []), f"P{r['person_pk']}"
        elif r["id_number"]:
            found, who = by_id.get(r["id_number"], []), _("số CCCD %s") % r["id_number"]
        else:
            found = by_name.get((r["name_key"], r["birth_year"]), [])
            who = f"{r['full_name']} ({r['birth_year']})"
        live = {p.merged_into_id or p.pk: p for p in found}
        if len(live) == 1:
            p = next(iter(live.values()))
            out.append(p.merged_into if p.merged_into_id else p)
        elif not live:
            out.append(
                _("không tìm thấy %(who)s trong sổ người của %(u)s.") % {"who": who, "u": unit.name}
            )
        else:
            out.append(
                _("có %(n)d người cùng %(who)s: hãy ghi mã người hoặc số CCCD.")
                % {"n": len(live), "who": who}
            )
    return out


def write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Enrol and record every staged row (see the module's docstring); all or nothing."""
    cursor.execute(f"SELECT row_id, row_number, v FROM {rows_table} ORDER BY row_number")  # noqa: S608
    rows = [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in cursor]
    courses = _find_courses(actor, unit, {v["course"] for *_, v in rows})
    persons = _find_people(actor, unit, [v for *_, v in rows])
    problems: list[str] = []
    results: list[tuple[int, int]] = []
    for (row_id, number, v), person in zip(rows, persons, strict=True):
        where = _("Dòng %(n)d") % {"n": number}
        course = courses.get(v["course"])
        if course is None:
            problems.append(f"{where}: " + _("không có (hoặc có nhiều) lớp «%s».") % v["course"])
            continue
        if isinstance(person, str):
            problems.append(f"{where}: {person}")
            continue
        try:
            p = services.participant_add(actor=actor, course=course, person=person)
            if v["attended_days"] or v["result"] or v["score"]:
                score = Decimal(v["score"]) if v["score"] else None
                services.participant_record(
                    actor=actor,
                    participant=p,
                    attended_days=v["attended_days"],
                    result=v["result"],
                    score=score,
                )
        except ApplicationError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        results.append((row_id, p.pk))
    refuse_if_problems(problems)
    sql.bulk_load(cursor, results_table, ("row_id", "result_id"), results)
    return len(results)


COURSE_PARTICIPANTS = ListSpec(
    kind="course_participants",
    label=_("Danh sách học viên lớp tập huấn"),
    columns=COLUMNS,
    parser=row_parser,
    existing=existing_keys,
    matches=registry_matches,
    write=write,
    example_rows=(
        ("1", "12", "P123", "", "", "", "2", "Đạt", "8,5"),
        ("2", "Sơ cấp cứu ban đầu 2026", "", "", "Trần Thị Hoa", "1990", "2", "Không đạt", ""),
    ),
    detail_url="training_participant_edit",
)
