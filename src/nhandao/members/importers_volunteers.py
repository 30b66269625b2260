"""A list of volunteers and collaborators, for the one import pipeline (list kind ``volunteers``).

Each row is a person (name, birth, sex, ID, phone, address) with the role: volunteer or
collaborator, skills (names or codes from the catalogue, separated by commas), availability, rank
and the date they joined. Rows are checked without the database (the person through
``people.bulk.PersonChecker``; a volunteer under 18 on the day they joined is refused there, row
by row); the preview shows likely existing records of the registry; at the commit every row goes
through ``volunteers.volunteer_register`` (the same checks and audit as the page). One refused row
and nothing is written: the message names each row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.dates import InvalidDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.text import fold
from nhandao.imports import sql
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem, refuse_if_problems
from nhandao.people import bulk

from .models import Skill, VolunteerKind

COLUMNS = (
    ColumnSpec("full_name", "Họ và tên", ("Họ tên", "Tên", "Họ và tên tình nguyện viên")),
    ColumnSpec("birth", "Ngày sinh", ("Năm sinh", "NS", "Ngày tháng năm sinh")),
    ColumnSpec("sex", "Giới tính", ("Nam/Nữ", "Giới")),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số định danh", "Số CCCD/CMND"), kind="id"),
    ColumnSpec("phone", "Điện thoại", ("Số điện thoại", "SĐT", "ĐT")),
    ColumnSpec("address", "Địa chỉ", ("Nơi ở", "Địa chỉ thường trú")),
    ColumnSpec("kind", "Loại", ("Tình nguyện viên/Cộng tác viên", "TNV/CTV", "Đối tượng")),
    ColumnSpec("skills", "Kỹ năng", ("Chuyên môn", "Kỹ năng, chuyên môn")),
    ColumnSpec("availability", "Thời gian có thể tham gia", ("Thời gian", "Có thể tham gia")),
    ColumnSpec("rank", "Hạng", ("Xếp hạng", "Cấp")),
    ColumnSpec("joined_on", "Ngày tham gia", ("Ngày vào", "Tham gia từ"), kind="date"),
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


def parse_kind(text: str) -> str | None:
    key = fold(text or "")
    if not key or key in ("tinh nguyen vien", "tnv", "volunteer"):
        return str(VolunteerKind.VOLUNTEER)
    if key in ("cong tac vien", "ctv", "collaborator"):
        return str(VolunteerKind.COLLABORATOR)
    return None


class RowParser:
    def __init__(self, unit: Any) -> None:
        self.unit = unit
        self.checker = bulk.PersonChecker()
        self.skills = {fold(s.name): s.code for s in Skill.objects.all()}
        self.skills.update({s.code: s.code for s in Skill.objects.all()})
        self.today = timezone.localdate()

    def _skills(self, text: str, problems: list[Problem]) -> list[str]:
        codes: list[str] = []
        for part in text.replace(";", ",").split(","):
            key = fold(part).strip()
            if not key:
                continue
            code = self.skills.get(key)
            if code is None:
                problems.append(Problem("skills", _("Không có kỹ năng «%s».") % part.strip()))
            elif code not in codes:
                codes.append(code)
        return codes

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        from .volunteers import check_adult

        problems: list[Problem] = []
        text = {k: _text(v) for k, v in cells.items()}
        birth_cell = cells.get("birth")
        birth: Any = (
            birth_cell if isinstance(birth_cell, (int, float, dt.date)) else text.get("birth", "")
        )
        sex = SEX_WORDS.get(fold(text.get("sex", "")), "")
        result = self.checker.check(
            bulk.PersonRow(
                full_name=text.get("full_name", ""),
                birth=birth or None,
                sex=sex,
                id_number=text.get("id_number", ""),
                phone=text.get("phone", ""),
                address_detail=text.get("address", "")[:255],
            )
        )
        problems += [Problem(f, message) for f, message in result.errors]
        problems += [Problem("id_number", w, "warning") for w in result.warnings]
        kind = parse_kind(text.get("kind", ""))
        if kind is None:
            problems.append(
                Problem(
                    "kind",
                    _("Loại «%s»: ghi tình nguyện viên hoặc cộng tác viên.") % text.get("kind", ""),
                )
            )
        joined: dt.date | None = self.today
        if cells.get("joined_on") not in (None, ""):
            try:
                joined = parse_date(cells["joined_on"]).value  # type: ignore[arg-type]
            except (InvalidDate, ValueError) as exc:
                problems.append(Problem("joined_on", str(exc)))
                joined = None
        if joined and joined > self.today:
            problems.append(Problem("joined_on", _("Ngày tham gia ở tương lai.")))
        values = result.values
        if kind == VolunteerKind.VOLUNTEER and values and joined:
            try:
                check_adult(values.get("birth_date"), values.get("birth_precision", ""), joined)
            except ApplicationError as exc:
                problems.append(Problem("birth", exc.message))
        stored = {
            "person": {
                "full_name": text.get("full_name", ""),
                "birth": _birth_text(values),
                "sex": sex,
                "id_number": values.get("id_number", "") if values else "",
                "phone": values.get("phone", "") if values else "",
                "address_detail": text.get("address", "")[:255],
            },
            "kind": kind,
            "skills": self._skills(text.get("skills", ""), problems),
            "availability": text.get("availability", "")[:255],
            "rank": text.get("rank", "")[:60],
            "joined_on": joined.isoformat() if joined else None,
        }
        return Parsed(
            values=stored,
            natural_key=natural_key(values),
            problems=problems,
            match_values=values or None,
        )


def _birth_text(values: dict[str, Any]) -> str:
    birth = values.get("birth_date") if values else None
    if birth is None:
        return ""
    return bulk.birth_display(birth, values.get("birth_precision", ""))


def natural_key(values: dict[str, Any]) -> str:
    if not values:
        return ""
    if values.get("id_number"):
        return f"id:{values['id_number']}"
    birth = values.get("birth_date")
    return f"nb:{values.get('name_key')}|{birth.isoformat() if birth else ''}"


def existing_keys(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Keys of the file that are already volunteers under this unit (re-importing adds nothing)."""
    from .models import Volunteer

    cursor.execute(f"SELECT nk FROM {keys_table}")  # noqa: S608
    wanted = {r[0] for r in cursor}
    ids = {k[3:] for k in wanted if k.startswith("id:")}
    names = {k[3:].split("|")[0] for k in wanted if k.startswith("nb:")}
    qs = Volunteer.objects.filter(unit__path__startswith=unit.path).filter(
        person__id_number__in=ids
    ) | Volunteer.objects.filter(unit__path__startswith=unit.path, person__name_key__in=names)
    found: set[str] = set()
    for id_number, name_key, birth in qs.values_list(
        "person__id_number", "person__name_key", "person__birth_date"
    ):
        if id_number:
            found.add(f"id:{id_number}")
        found.add(f"nb:{name_key}|{birth.isoformat() if birth else ''}")
    return found & wanted


def write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Register every staged row through the service (see the module's docstring); all or
    nothing."""
    import json

    from nhandao.people.services import PersonData

    from .volunteers import VolunteerData, volunteer_register

    cursor.execute(f"SELECT row_id, row_number, v FROM {rows_table} ORDER BY row_number")  # noqa: S608
    rows = [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in cursor]
    problems: list[str] = []
    results: list[tuple[int, int]] = []
    for row_id, number, v in rows:
        p = v["person"]
        data = VolunteerData(
            kind=v["kind"],
            skills=v["skills"],
            availability=v["availability"],
            rank=v["rank"],
            joined_on=dt.date.fromisoformat(v["joined_on"]) if v["joined_on"] else None,
        )
        try:
            volunteer = volunteer_register(
                actor=actor, unit=unit, person=PersonData(**p), data=data
            )
        except ApplicationError as exc:
            problems.append(_("Dòng %(n)d: %(m)s") % {"n": number, "m": exc.message})
            continue
        results.append((row_id, volunteer.pk))
    refuse_if_problems(problems)
    sql.bulk_load(cursor, results_table, ("row_id", "result_id"), results)
    return len(results)


VOLUNTEERS = ListSpec(
    kind="volunteers",
    label=_("Danh sách tình nguyện viên, cộng tác viên"),
    columns=COLUMNS,
    parser=RowParser,
    existing=existing_keys,
    matches=bulk.registry_matches,
    parent_share=bulk.PEOPLE_PARENT_SHARE,
    write=write,
    example_rows=(
        (
            "1",
            "Nguyễn Thị Hoa",
            "12/03/2001",
            "Nữ",
            "",
            "0912345678",
            "Số 5 ngõ 10 phố Hàng Bạc",
            "Tình nguyện viên",
            "Sơ cấp cứu",
            "Cuối tuần",
            "",
            "01/02/2026",
        ),
    ),
    detail_url="volunteer_detail",
)
