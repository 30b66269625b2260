"""Donor lists and past donation histories, for the one import pipeline.

``blood_donors``: one donor a row (the person, blood group, weight); a person already in the
registry under the unit (same citizen ID, or same name and birth date) becomes the donor, else a
new person is created through the registry's checks. ``blood_donations``: one past donation a
row, naming the donor by card code, citizen ID or name and birth date; the volume must be allowed
for the kind (and the weight when given) by the rules in force on the day. The donors' counters,
first-time marks and honours are brought up to date.

Rows are parsed once each without the database (the rules are read once per job). Anything the
database must answer (an unknown donor, a certificate number already issued) is checked at the
commit for every row first: one problem and nothing is written, the message names each row and
column."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.dates import InvalidDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import fold
from nhandao.imports import sql
from nhandao.imports.headers import ColumnSpec
from nhandao.imports.readers import Cell
from nhandao.imports.spec import ListSpec, Parsed, Problem

from .models import BloodDonation, BloodDonor, DonationKind

MAX_PROBLEMS = 30

DONOR_COLUMNS = (
    ColumnSpec("full_name", "Họ và tên", ("Họ tên", "Tên", "Họ và tên người hiến"), required=True),
    ColumnSpec("birth", "Ngày sinh", ("Năm sinh", "Ngày tháng năm sinh", "NS"), kind="date"),
    ColumnSpec("sex", "Giới tính", ("Nam/Nữ", "GT", "Phái"), kind="sex"),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số CCCD/CMND", "Số định danh"), kind="id"),
    ColumnSpec("phone", "Điện thoại", ("Số điện thoại", "SĐT", "ĐT", "Di động"), kind="phone"),
    ColumnSpec("address", "Địa chỉ", ("Nơi ở", "Thôn, tổ", "Địa chỉ liên hệ")),
    ColumnSpec("blood_group", "Nhóm máu", ("Nhóm máu ABO", "ABO", "Nhóm máu (ABO, Rh)")),
    ColumnSpec("weight", "Cân nặng (kg)", ("Cân nặng", "Cân nặng kg", "kg")),
)

DONATION_COLUMNS = (
    ColumnSpec("card_code", "Mã thẻ", ("Mã thẻ người hiến máu", "Mã người hiến", "Số thẻ")),
    ColumnSpec("id_number", "Số CCCD", ("CCCD", "Số CCCD/CMND", "Số định danh"), kind="id"),
    ColumnSpec("full_name", "Họ và tên", ("Họ tên", "Tên", "Họ và tên người hiến")),
    ColumnSpec("birth", "Ngày sinh", ("Năm sinh", "NS"), kind="date"),
    ColumnSpec("donated_on", "Ngày hiến", ("Ngày", "Ngày hiến máu"), required=True, kind="date"),
    ColumnSpec("kind", "Loại", ("Loại hiến", "Thành phần", "Hình thức hiến")),
    ColumnSpec("volume_ml", "Thể tích (ml)", ("Thể tích", "Lượng máu", "ml", "Số ml")),
    ColumnSpec("weight", "Cân nặng (kg)", ("Cân nặng", "kg")),
    ColumnSpec(
        "certificate_no", "Số giấy chứng nhận", ("Số GCN", "Giấy chứng nhận", "Số chứng nhận")
    ),
)

# Folded words naming a kind of donation in the lists units keep.
KIND_WORDS = [
    ("tieu cau", DonationKind.PLATELETS),
    ("huyet tuong", DonationKind.PLASMA),
    ("hong cau", DonationKind.RED_CELLS),
    ("toan phan", DonationKind.WHOLE_BLOOD),
]
WHOLE_BLOOD_WORDS = {"mau", "hien mau", "tp"}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _label(columns: Sequence[ColumnSpec], name: str) -> str:
    return next((c.label for c in columns if c.field == name), name)


def _where(number: int, columns: Sequence[ColumnSpec], name: str | None) -> str:
    if name is None:
        return _("Dòng %(n)d") % {"n": number}
    return _("Dòng %(n)d, cột «%(col)s»") % {"n": number, "col": _label(columns, name)}


def parse_kind(text: str) -> str | None:
    if not text:
        return DonationKind.WHOLE_BLOOD
    if text in DonationKind.values:
        return text
    key = f" {fold(text)} "
    if key.strip() in WHOLE_BLOOD_WORDS:
        return DonationKind.WHOLE_BLOOD
    for word, kind in KIND_WORDS:
        if f" {word} " in key:
            return str(kind)
    return None


def _birth(cells: dict[str, Cell], text: dict[str, str]) -> str:
    """The birth as text the registry reads (a year, or dd/mm/yyyy)."""
    raw = cells.get("birth")
    if raw in (None, ""):
        return ""
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.strftime("%d/%m/%Y")
    return text.get("birth", "")


def _run_rows(cursor: Any, rows_table: str) -> list[tuple[int, int, dict[str, Any]]]:
    cursor.execute(f"SELECT row_id, row_number, v FROM {rows_table} ORDER BY row_number")  # noqa: S608
    return [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in cursor]


def _results(cursor: Any, results_table: str, pairs: list[tuple[int, int]]) -> None:
    sql.bulk_load(cursor, results_table, ("row_id", "result_id"), pairs)


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ApplicationError(
            _("%(n)d dòng cần sửa: %(list)s.")
            % {
                "n": len(problems),
                "list": "; ".join(p.rstrip(".") for p in problems[:MAX_PROBLEMS]),
            }
        )


def _read_keys(cursor: Any, keys_table: str) -> list[str]:
    cursor.execute(f"SELECT nk FROM {keys_table} WHERE nk <> ''")  # noqa: S608
    return [r[0] for r in cursor]


# --- donors ----------------------------------------------------------------------------------


class DonorParser:
    def __init__(self, unit: Any) -> None:
        self.unit = unit

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        from nhandao.people.services import PersonData, person_check

        from .services import check_weight, parse_blood_group

        problems: list[Problem] = []
        text = {k: _text(v) for k, v in cells.items()}
        values: dict[str, Any] = {
            "full_name": text.get("full_name", ""),
            "birth": _birth(cells, text),
            "sex": text.get("sex", ""),
            "id_number": re.sub(r"\D", "", text.get("id_number", "")),
            "phone": text.get("phone", ""),
            "address": text.get("address", "")[:255],
            "abo": "",
            "rh": "",
            "weight": "",
            "name_key": "",
            "birth_date": "",
        }
        sex = fold(values["sex"])
        values["sex"] = {"nam": "male", "m": "male", "nu": "female", "f": "female"}.get(sex, "")
        try:
            checked = person_check(
                PersonData(
                    full_name=values["full_name"],
                    birth=values["birth"] or None,
                    sex=values["sex"],
                    id_number=values["id_number"],
                    phone=values["phone"],
                    address_detail=values["address"],
                )
            )
        except ApplicationError as exc:
            field = exc.field if exc.field in ("full_name", "birth", "id_number", "phone") else None
            problems.append(Problem(field or "full_name", exc.message))
        else:
            birth = checked.values.get("birth_date")
            values["name_key"] = checked.values.get("name_key", fold(values["full_name"]))
            values["birth_date"] = birth.isoformat() if birth else ""
            values["id_number"] = checked.values.get("id_number", values["id_number"])
            problems += [Problem("id_number", w, "warning") for w in checked.warnings]
        try:
            values["abo"], values["rh"] = parse_blood_group(text.get("blood_group", ""))
        except ApplicationError as exc:
            problems.append(Problem("blood_group", exc.message))
        if text.get("weight"):
            try:
                values["weight"] = str(check_weight(text["weight"]))
            except ApplicationError as exc:
                problems.append(Problem("weight", exc.message))
        return Parsed(
            values=values, natural_key=donor_key(values), problems=problems, match_values=None
        )


def donor_key(values: dict[str, Any]) -> str:
    if values.get("id_number"):
        return f"id:{values['id_number']}"
    if values.get("name_key"):
        return f"nb:{values['name_key']}|{values.get('birth_date') or ''}"
    return ""


def _donor_q(keys: list[str], prefix: str = "person__") -> Q:
    q = Q(pk__in=[])
    ids = [k[3:] for k in keys if k.startswith("id:")]
    if ids:
        q |= Q(**{f"{prefix}id_number__in": ids})
    names = [k[3:].partition("|") for k in keys if k.startswith("nb:")]
    if names:
        q |= Q(**{f"{prefix}name_key__in": {n for n, _s, _b in names}})
    return q


def _key_of(person: Any) -> set[str]:
    birth = person.birth_date.isoformat() if person.birth_date else ""
    out = {f"nb:{person.name_key}|{birth}"}
    if person.id_number:
        out.add(f"id:{person.id_number}")
    return out


def donors_existing(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Rows whose person is already a donor under the unit: re-importing adds nothing."""
    keys = _read_keys(cursor, keys_table)
    if not keys:
        return set()
    wanted = set(keys)
    found: set[str] = set()
    donors = BloodDonor.objects.filter(_donor_q(keys), unit__path__startswith=unit.path)
    for donor in donors.select_related("person"):
        found |= _key_of(donor.person) & wanted
    return found


def no_matches(user: Any, items: Sequence[tuple[int, dict[str, Any]]]) -> dict[int, list]:
    return {}


def donors_write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Every staged row becomes a donor (the registry's person reused when it is there)."""
    from nhandao.people.models import Person
    from nhandao.people.services import PersonData

    from .services import DonorData, donor_register

    rows = _run_rows(cursor, rows_table)
    keys = [donor_key(v) for *_x, v in rows]
    people: dict[str, Any] = {}
    persons = Person.objects.filter(
        _donor_q(keys, prefix=""), unit__path__startswith=unit.path, merged_into__isnull=True
    )
    for known in persons.order_by("pk"):
        for key in _key_of(known):
            people.setdefault(key, known)
    donors = set(BloodDonor.objects.filter(person__in=persons).values_list("person_id", flat=True))
    problems: list[str] = []
    pairs: list[tuple[int, int]] = []
    for (row_id, number, v), key in zip(rows, keys, strict=True):
        person = people.get(key)
        if person is not None and person.pk in donors:
            continue  # named twice in the file: the first row made the donor
        data = DonorData(abo=v["abo"], rh=v["rh"], weight_kg=v["weight"] or None)
        who: Any = person or PersonData(
            full_name=v["full_name"],
            birth=v["birth"] or None,
            sex=v["sex"],
            id_number=v["id_number"],
            phone=v["phone"],
            address_detail=v["address"],
        )
        try:
            donor = donor_register(actor=actor, unit=unit, person=who, data=data)
        except ApplicationError as exc:
            problems.append(f"{_where(number, DONOR_COLUMNS, exc.field)}: {exc.message}")
            continue
        people.setdefault(key, donor.person)
        donors.add(donor.person_id)
        pairs.append((row_id, donor.pk))
    _refuse(problems)
    _results(cursor, results_table, pairs)
    return len(pairs)


BLOOD_DONORS = ListSpec(
    kind="blood_donors",
    label=_("Danh sách người hiến máu"),
    columns=DONOR_COLUMNS,
    parser=DonorParser,
    existing=donors_existing,
    matches=no_matches,
    write=donors_write,
    example_rows=(
        (
            "1",
            "Nguyễn Văn An",
            "12/05/1990",
            "Nam",
            "001090012345",
            "0912345678",
            "Tổ 3",
            "O+",
            "62",
        ),
        ("2", "Trần Thị Bình", "1995", "Nữ", "", "0987654321", "", "A", ""),
    ),
    detail_url="blood_donor_detail",
)


# --- donation histories ----------------------------------------------------------------------


class DonationParser:
    """The rules of every day are read once per job (a few rows); each row is then checked
    without the database: date, kind, volume allowed for the kind (and the weight when given),
    certificate numbers repeated in the file."""

    def __init__(self, unit: Any) -> None:
        from .models import BloodRules

        self.rules = list(BloodRules.objects.order_by("-valid_from"))
        self.certificates: dict[str, int] = {}
        self.rows = 0
        self.today = timezone.localdate()

    def _rules(self, on: dt.date) -> Any:
        from .models import BloodRules

        for rules in self.rules:
            if rules.valid_from <= on:
                return rules
        return self.rules[-1] if self.rules else BloodRules()

    def __call__(self, cells: dict[str, Cell]) -> Parsed:
        self.rows += 1
        problems: list[Problem] = []
        text = {k: _text(v) for k, v in cells.items()}
        values: dict[str, Any] = {
            "card_code": "".join(c for c in text.get("card_code", "").upper() if c.isalnum()),
            "id_number": re.sub(r"\D", "", text.get("id_number", "")),
            "name_key": fold(text.get("full_name", "")),
            "full_name": text.get("full_name", ""),
            "birth_year": None,
            "donated_on": None,
            "kind": None,
            "volume_ml": None,
            "weight": "",
            "certificate_no": text.get("certificate_no", "").strip().upper()[:40],
        }
        years = re.findall(r"\d{4}", text.get("birth", ""))
        values["birth_year"] = int(years[-1]) if years else None
        if not (values["card_code"] or values["id_number"] or values["name_key"]):
            problems.append(Problem("card_code", _("Cần mã thẻ, số CCCD hoặc họ tên và năm sinh.")))
        elif not (values["card_code"] or values["id_number"]) and not values["birth_year"]:
            problems.append(Problem("birth", _("Chỉ có họ tên: cần thêm năm sinh.")))
        on = self._date(cells.get("donated_on"), problems)
        values["donated_on"] = on.isoformat() if on else None
        kind = parse_kind(text.get("kind", ""))
        if kind is None:
            problems.append(
                Problem(
                    "kind",
                    _("Không rõ loại hiến «%s»: ghi toàn phần, hồng cầu, huyết tương, tiểu cầu.")
                    % text.get("kind", ""),
                )
            )
        values["kind"] = kind
        weight = self._weight(text.get("weight", ""), problems)
        values["weight"] = str(weight) if weight is not None else ""
        volume = self._volume(text.get("volume_ml", ""), problems)
        values["volume_ml"] = volume
        if volume and kind and on:
            message = self.volume_problem(self._rules(on), kind, volume, weight)
            if message:
                problems.append(Problem("volume_ml", message))
        number = values["certificate_no"]
        if number:
            first = self.certificates.setdefault(number, self.rows)
            if first != self.rows:
                problems.append(
                    Problem(
                        "certificate_no",
                        _("Số giấy chứng nhận %(no)s trùng với dòng dữ liệu thứ %(n)d của tệp.")
                        % {"no": number, "n": first},
                    )
                )
        return Parsed(values=values, natural_key=donation_key(values), problems=problems)

    def _date(self, raw: Cell, problems: list[Problem]) -> dt.date | None:
        if raw in (None, ""):
            problems.append(Problem("donated_on", _("Chưa ghi ngày hiến.")))
            return None
        try:
            day = parse_date(raw, today=self.today).value  # type: ignore[arg-type]
        except (InvalidDate, ValueError) as exc:
            problems.append(Problem("donated_on", str(exc)))
            return None
        if day > self.today:
            problems.append(
                Problem("donated_on", _("Ngày hiến %s ở tương lai.") % f"{day:%d/%m/%Y}")
            )
            return None
        return day

    @staticmethod
    def _weight(raw: str, problems: list[Problem]) -> Decimal | None:
        from .services import check_weight

        if not raw:
            return None
        try:
            return check_weight(raw)
        except ApplicationError as exc:
            problems.append(Problem("weight", exc.message))
            return None

    @staticmethod
    def _volume(raw: str, problems: list[Problem]) -> int | None:
        digits = raw.lower().replace("ml", "").replace(".", "").strip()
        if not digits:
            problems.append(Problem("volume_ml", _("Chưa ghi thể tích (ml).")))
            return None
        if not digits.isdigit():
            problems.append(Problem("volume_ml", _("Thể tích «%s» không phải số ml.") % raw))
            return None
        return int(digits)

    @staticmethod
    def volume_problem(rules: Any, kind: str, volume: int, weight: Decimal | None) -> str:
        """Why a volume cannot be right for the kind (and the weight when known), or ""."""
        if kind == DonationKind.WHOLE_BLOOD:
            bags = [int(x) for x in str(rules.whole_blood_volumes).split(",") if x.strip()]
            if volume not in bags:
                return _("Thể tích %(v)d ml không phải túi máu toàn phần (%(bags)s ml).") % {
                    "v": volume,
                    "bags": ", ".join(str(b) for b in bags),
                }
            if weight is None:
                return ""
            if weight < rules.low_weight_below:
                top = int(rules.low_weight_max_ml)
            else:
                top = min(int(rules.ml_per_kg * weight), int(rules.whole_blood_max_ml))
            if volume > top:
                return _("Nặng %(w)s kg chỉ được hiến tối đa %(top)d ml, không phải %(v)d ml.") % {
                    "w": weight,
                    "top": top,
                    "v": volume,
                }
            return ""
        top = int(rules.apheresis_max_ml)
        if (weight is not None and weight >= rules.apheresis_heavy_from) or weight is None:
            top = int(rules.apheresis_heavy_max_ml)
        if not 0 < volume <= top:
            return _("Thể tích gạn tách %(v)d ml không được vượt %(top)d ml.") % {
                "v": volume,
                "top": top,
            }
        return ""


def donation_who(values: dict[str, Any]) -> str:
    if values.get("card_code"):
        return f"card:{values['card_code']}"
    if values.get("id_number"):
        return f"id:{values['id_number']}"
    return f"nb:{values.get('name_key')}|{values.get('birth_year') or ''}"


def donation_key(values: dict[str, Any]) -> str:
    if not values.get("donated_on"):
        return ""
    return f"don:{donation_who(values)}|{values['donated_on']}"


def _resolve_donors(who: set[str], user: Any, unit: Any) -> dict[str, list[BloodDonor]]:
    """Donors named by card code, citizen ID or name and birth year: one query."""
    cards = [w[5:] for w in who if w.startswith("card:")]
    ids = [w[3:] for w in who if w.startswith("id:")]
    names = {w[3:].partition("|")[0] for w in who if w.startswith("nb:")}
    q = Q(card_code__in=cards) | Q(person__id_number__in=ids)
    if names:
        q |= Q(person__name_key__in=names, unit__path__startswith=unit.path)
    qs = BloodDonor.objects.filter(q).select_related("person", "unit")
    if user is not None:
        qs = qs.visible_to(user)
    out: dict[str, list[BloodDonor]] = {}
    for donor in qs:
        p = donor.person
        year = p.birth_date.year if p.birth_date else ""
        for key in (f"card:{donor.card_code}", f"id:{p.id_number}", f"nb:{p.name_key}|{year}"):
            if key in who:
                out.setdefault(key, []).append(donor)
    return out


def donations_existing(cursor: Any, unit: Any, keys_table: str) -> set[str]:
    """Rows of a donation already stored (same donor, same day): re-importing adds nothing."""
    keys = _read_keys(cursor, keys_table)
    parts = {k: k[4:].rpartition("|") for k in keys if k.startswith("don:")}
    donors = _resolve_donors({w for w, _s, _d in parts.values()}, None, unit)
    days = {dt.date.fromisoformat(d) for _w, _s, d in parts.values() if d}
    ids = {x.pk for found in donors.values() for x in found}
    stored = set(
        BloodDonation.objects.filter(donor_id__in=ids, donated_on__in=days).values_list(
            "donor_id", "donated_on"
        )
    )
    found: set[str] = set()
    for key, (who, _s, day) in parts.items():
        matches = donors.get(who, [])
        if len(matches) == 1 and (matches[0].pk, dt.date.fromisoformat(day)) in stored:
            found.add(key)
    return found


def donations_write(cursor: Any, actor: Any, unit: Any, rows_table: str, results_table: str) -> int:
    """Check every row against the database, then write all the donations, bring each donor's
    counters and first-time marks up to date, and create the honours reached."""
    from .honours import honours_after_donation

    rows = _run_rows(cursor, rows_table)
    donors = _resolve_donors({donation_who(v) for *_x, v in rows}, actor, unit)
    numbers = [v["certificate_no"] for *_x, v in rows if v["certificate_no"]]
    issued = dict(
        BloodDonation.objects.filter(certificate_no__in=numbers).values_list(
            "certificate_no", "donated_on"
        )
    )
    problems: list[str] = []
    planned: list[tuple[int, BloodDonor, dict[str, Any]]] = []
    seen: set[tuple[int, str]] = set()
    for row_id, number, v in rows:
        found = donors.get(donation_who(v), [])
        field = "card_code" if v["card_code"] else "id_number" if v["id_number"] else "full_name"
        if not found:
            problems.append(
                f"{_where(number, DONATION_COLUMNS, field)}: "
                + _("không tìm thấy người hiến máu này (hãy nhập danh sách người hiến trước).")
            )
            continue
        if len(found) > 1:
            problems.append(
                f"{_where(number, DONATION_COLUMNS, field)}: "
                + _("có %(n)d người hiến máu trùng họ tên và năm sinh: ghi mã thẻ hoặc số CCCD.")
                % {"n": len(found)}
            )
            continue
        if v["certificate_no"] in issued:
            problems.append(
                f"{_where(number, DONATION_COLUMNS, 'certificate_no')}: "
                + _("số giấy chứng nhận %(no)s đã cấp cho lần hiến ngày %(d)s.")
                % {"no": v["certificate_no"], "d": f"{issued[v['certificate_no']]:%d/%m/%Y}"}
            )
            continue
        if (found[0].pk, v["donated_on"]) in seen:
            problems.append(
                f"{_where(number, DONATION_COLUMNS, 'donated_on')}: "
                + _("người này đã có một lần hiến khác trong tệp cùng ngày.")
            )
            continue
        seen.add((found[0].pk, v["donated_on"]))
        planned.append((row_id, found[0], v))
    _refuse(problems)
    made = _create_donations(actor, planned)
    added: dict[int, int] = {}
    for _r, donor, _v in planned:
        added[donor.pk] = added.get(donor.pk, 0) + 1
    for donor in {d.pk: d for _r, d, _v in planned}.values():
        _recount(donor, added[donor.pk])
        honours_after_donation(donor=donor)
    _results(cursor, results_table, made)
    return len(made)


def _create_donations(
    actor: Any, planned: list[tuple[int, BloodDonor, dict[str, Any]]]
) -> list[tuple[int, int]]:
    by_user = actor if getattr(actor, "is_authenticated", False) else None
    made: list[tuple[int, int]] = []
    for row_id, donor, v in planned:
        donation = BloodDonation.objects.create(
            donor=donor,
            unit=donor.unit,
            donated_on=dt.date.fromisoformat(v["donated_on"]),
            kind=v["kind"],
            volume_ml=v["volume_ml"],
            weight_kg=Decimal(v["weight"]) if v["weight"] else None,
            certificate_no=v["certificate_no"],
            recorded_by=by_user,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=donation,
            unit_path=donor.unit.path,
            changes={
                "donor": [None, donor.pk],
                "kind": [None, donation.kind],
                "volume_ml": [None, donation.volume_ml],
                "certificate_no": [None, donation.certificate_no],
                "imported": [None, True],
            },
        )
        made.append((row_id, donation.pk))
    return made


def _recount(donor: BloodDonor, added: int) -> None:
    """The donor's counters after ``added`` donations from a history; the earliest stored is
    the first time, the latest gives the interval."""
    history = list(
        BloodDonation.objects.filter(donor=donor)
        .order_by("donated_on", "pk")
        .values_list("pk", "donated_on", "kind")
    )
    if not history:
        return
    BloodDonation.objects.filter(donor=donor).exclude(pk=history[0][0]).update(first_time=False)
    BloodDonation.objects.filter(pk=history[0][0]).update(first_time=True)
    donor.donation_count += added
    donor.last_donation_on, donor.last_donation_kind = history[-1][1], history[-1][2]
    donor.save(
        update_fields=["donation_count", "last_donation_on", "last_donation_kind", "updated_at"]
    )


BLOOD_DONATIONS = ListSpec(
    kind="blood_donations",
    label=_("Lịch sử hiến máu"),
    columns=DONATION_COLUMNS,
    parser=DonationParser,
    existing=donations_existing,
    matches=no_matches,
    write=donations_write,
    example_rows=(
        ("1", "HM2345ABCD", "", "", "", "14/06/2024", "Toàn phần", "350", "60", "GCN-2024-001"),
        ("2", "", "001090012345", "", "", "07/04/2025", "Tiểu cầu", "250", "", ""),
    ),
    detail_url="blood_certificate",
)
