"""May this donor give blood today, how much, and if not, why and from when (rules.md "Blood
donation", Circular 26/2013/TT-BYT).

One pure function, ``check``: no database access, every threshold from ``Rules`` (built from the
``BloodRules`` row in force). The check-in page, the API and the recording service all call it, so
the answer a station shows is the one the service enforces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.money import format_vnd

from .models import APHERESIS, DonationKind

KINDS = tuple(DonationKind.values)
APHERESIS_STEP_ML = 50
APHERESIS_FIRST_ML = 250


@dataclass(frozen=True)
class Rules:
    min_age: int = 18
    max_age: int = 60
    min_weight_female: Decimal = Decimal(42)
    min_weight_male: Decimal = Decimal(45)
    low_weight_below: Decimal = Decimal(45)
    low_weight_max_ml: int = 250
    ml_per_kg: int = 9
    whole_blood_max_ml: int = 500
    whole_blood_volumes: tuple[int, ...] = (250, 350, 450)
    apheresis_min_weight: Decimal = Decimal(50)
    apheresis_max_ml: int = 500
    apheresis_heavy_from: Decimal = Decimal(60)
    apheresis_heavy_max_ml: int = 650
    # (kind, days) after a donation of that kind
    intervals: tuple[tuple[str, int], ...] = (
        (DonationKind.WHOLE_BLOOD.value, 84),
        (DonationKind.RED_CELLS.value, 84),
        (DonationKind.PLASMA.value, 14),
        (DonationKind.PLATELETS.value, 21),
    )

    # What a donor receives: (bag ml, minimum gift) for whole blood; (up to ml, minimum gift)
    # for apheresis; travel and meal support up to a maximum (đồng).
    gift_whole: tuple[tuple[int, int], ...] = ((250, 100_000), (350, 150_000), (450, 180_000))
    gift_apheresis: tuple[tuple[int, int], ...] = ((400, 150_000), (500, 200_000), (650, 250_000))
    travel_max: int = 50_000
    meal_max: int = 30_000

    def interval_days(self, kind: str) -> int:
        return dict(self.intervals).get(kind, max(d for _k, d in self.intervals))

    def gift_minimum(self, kind: str, volume_ml: int) -> int:
        """The smallest gift for a donation: whole blood, the minimum of the largest bag at or
        under the volume (the smallest bag's below it); apheresis, the first band reaching the
        volume (the last band's above it)."""
        if kind == DonationKind.WHOLE_BLOOD:
            bands = sorted(self.gift_whole)
            found = [amount for ml, amount in bands if ml <= volume_ml]
            return found[-1] if found else bands[0][1]
        bands = sorted(self.gift_apheresis)
        return next((amount for ml, amount in bands if volume_ml <= ml), bands[-1][1])


def _volumes(text: str) -> tuple[int, ...]:
    return tuple(sorted(int(v) for v in str(text).replace(" ", "").split(",") if v.isdigit()))


def rules_from_row(row: Any) -> Rules:
    """The thresholds of a ``BloodRules`` row as a frozen value."""
    return Rules(
        min_age=row.min_age,
        max_age=row.max_age,
        min_weight_female=Decimal(row.min_weight_female),
        min_weight_male=Decimal(row.min_weight_male),
        low_weight_below=Decimal(row.low_weight_below),
        low_weight_max_ml=row.low_weight_max_ml,
        ml_per_kg=row.ml_per_kg,
        whole_blood_max_ml=row.whole_blood_max_ml,
        whole_blood_volumes=_volumes(row.whole_blood_volumes),
        apheresis_min_weight=Decimal(row.apheresis_min_weight),
        apheresis_max_ml=row.apheresis_max_ml,
        apheresis_heavy_from=Decimal(row.apheresis_heavy_from),
        apheresis_heavy_max_ml=row.apheresis_heavy_max_ml,
        intervals=(
            (DonationKind.WHOLE_BLOOD.value, row.interval_whole_blood_days),
            (DonationKind.RED_CELLS.value, row.interval_red_cells_days),
            (DonationKind.PLASMA.value, row.interval_plasma_days),
            (DonationKind.PLATELETS.value, row.interval_platelets_days),
        ),
        gift_whole=(
            (250, row.gift_min_whole_250),
            (350, row.gift_min_whole_350),
            (450, row.gift_min_whole_450),
        ),
        gift_apheresis=(
            (400, row.gift_min_apheresis_400),
            (500, row.gift_min_apheresis_500),
            (650, row.gift_min_apheresis_650),
        ),
        travel_max=row.travel_max,
        meal_max=row.meal_max,
    )


def support_problems(
    rules: Rules, *, kind: str, volume_ml: int, gift: int, travel: int, meal: int
) -> list[tuple[str, str]]:
    """(field, message) for each amount a donor receives that breaks the rules: a gift under
    the minimum for the donation (0 means none recorded, as for a history typed in later), travel
    or meal support over its maximum."""
    problems = []
    minimum = rules.gift_minimum(kind, volume_ml)
    if 0 < gift < minimum:
        problems.append(
            (
                "gift_value",
                _("Quà tặng cho lần hiến %(kind)s %(ml)d ml tối thiểu là %(min)s (đang ghi %(v)s).")
                % {
                    "kind": kind_label(kind),
                    "ml": volume_ml,
                    "min": format_vnd(minimum),
                    "v": format_vnd(gift),
                },
            )
        )
    for field_name, value, most, label in (
        ("travel_value", travel, rules.travel_max, _("Hỗ trợ đi lại")),
        ("meal_value", meal, rules.meal_max, _("Hỗ trợ ăn nhẹ")),
    ):
        if value > most:
            problems.append(
                (
                    field_name,
                    _("%(what)s tối đa %(max)s (đang ghi %(v)s).")
                    % {"what": label, "max": format_vnd(most), "v": format_vnd(value)},
                )
            )
    return problems


def gift_minimums_text(rules: Rules, kind: str) -> str:
    """The minimum gifts for a kind of donation, for the form's help: "250 ml: 100.000 đ; …"."""
    if kind == DonationKind.WHOLE_BLOOD:
        return "; ".join(f"{ml} ml: {format_vnd(v)}" for ml, v in sorted(rules.gift_whole))
    parts, low = [], 0
    for ml, v in sorted(rules.gift_apheresis):
        span = f"{low + 1 if low else APHERESIS_FIRST_ML}–{ml}"
        parts.append(f"{span} ml: {format_vnd(v)}")
        low = ml
    return "; ".join(parts)


@dataclass(frozen=True)
class DonorFacts:
    birth_date: dt.date | None
    birth_precision: str  # "day", "month", "year" or "" (people.BirthPrecision)
    sex: str  # "male", "female" or ""
    weight_kg: Decimal | None
    last_donation: tuple[dt.date, str] | None = None  # (date, kind) of the most recent donation
    deferral_until: dt.date | None = None  # last day of an open deferral
    deferral_permanent: bool = False


@dataclass
class Decision:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    next_date: dt.date | None = None  # from when the donor may come back, when only time stops it
    max_volume_ml: int | None = None
    allowed_volumes: list[int] = field(default_factory=list)


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def kg(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the birthday is 1 March
        return dt.date(day.year + years, 3, 1)


def _birth_bounds(birth: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """(earliest, latest) possible date of birth."""
    if precision == "year":
        return dt.date(birth.year, 1, 1), dt.date(birth.year, 12, 31)
    if precision == "month":
        nxt = dt.date(birth.year + birth.month // 12, birth.month % 12 + 1, 1)
        return birth.replace(day=1), nxt - dt.timedelta(days=1)
    return birth, birth


def _interval_text(days: int) -> str:
    if days % 7 == 0:
        return _("%(n)d tuần") % {"n": days // 7}
    return _("%(n)d ngày") % {"n": days}


def kind_label(kind: str) -> str:
    return str(DonationKind(kind).label).lower() if kind in KINDS else kind


def _age(facts: DonorFacts, rules: Rules, on: dt.date) -> tuple[list[str], dt.date | None, bool]:
    """Reasons about age, the day the donor becomes old enough, and whether it is final."""
    if facts.birth_date is None:
        text = _("Chưa có ngày sinh: không xác định được tuổi (phải từ %(lo)d đến %(hi)d tuổi).")
        return [text % {"lo": rules.min_age, "hi": rules.max_age}], None, True
    earliest, latest = _birth_bounds(facts.birth_date, facts.birth_precision)
    imprecise = earliest != latest
    note = ""
    if imprecise:
        note = " " + _(
            "Chỉ biết năm hoặc tháng sinh nên tính theo ngày bất lợi nhất; "
            "hãy ghi ngày sinh đầy đủ."
        )
    adult_on = _add_years(latest, rules.min_age)
    if on < adult_on:
        text = _("Chưa đủ %(age)d tuổi: đủ tuổi hiến máu từ %(day)s.") % {
            "age": rules.min_age,
            "day": d(adult_on),
        }
        return [text + note], adult_on, False
    last_day = _add_years(earliest, rules.max_age)
    if on > last_day:
        text = _("Đã quá %(age)d tuổi (sinh %(birth)s): chỉ hiến máu đến hết %(age)d tuổi.") % {
            "age": rules.max_age,
            "birth": d(facts.birth_date) if not imprecise else str(facts.birth_date.year),
        }
        return [text + note], None, True
    return [], None, False


def _whole_blood_max(facts: DonorFacts, rules: Rules, weight: Decimal) -> tuple[int, list[str]]:
    if facts.sex == "female":
        minimum = rules.min_weight_female
    elif facts.sex == "male":
        minimum = rules.min_weight_male
    else:
        minimum = max(rules.min_weight_female, rules.min_weight_male)
    if weight < minimum:
        who = {"female": _("nữ"), "male": _("nam")}.get(facts.sex, _("chưa rõ giới tính"))
        return 0, [
            _("Cân nặng %(w)s kg chưa đủ %(min)s kg để hiến máu toàn phần (%(who)s).")
            % {"w": kg(weight), "min": kg(minimum), "who": who}
        ]
    if weight < rules.low_weight_below:
        return rules.low_weight_max_ml, []
    return min(int(weight * rules.ml_per_kg), rules.whole_blood_max_ml), []


def _apheresis_max(rules: Rules, weight: Decimal) -> tuple[int, list[str]]:
    if weight < rules.apheresis_min_weight:
        return 0, [
            _("Cân nặng %(w)s kg chưa đủ %(min)s kg để hiến gạn tách thành phần máu.")
            % {"w": kg(weight), "min": kg(rules.apheresis_min_weight)}
        ]
    if weight >= rules.apheresis_heavy_from:
        return rules.apheresis_heavy_max_ml, []
    return rules.apheresis_max_ml, []


def _volume(
    rules: Rules, kind: str, weight: Decimal, top: int, volume_ml: int | None
) -> tuple[list[int], list[str]]:
    if kind in APHERESIS:
        allowed = list(range(APHERESIS_FIRST_ML, top + 1, APHERESIS_STEP_ML))
        if top not in allowed:
            allowed.append(top)
        if volume_ml is not None and not 0 < volume_ml <= top:
            return allowed, [
                _(
                    "Thể tích %(v)d ml không được phép khi gạn tách với cân nặng %(w)s kg: "
                    "tối đa %(max)d ml."
                )
                % {"v": volume_ml, "w": kg(weight), "max": top}
            ]
        return allowed, []
    allowed = [v for v in rules.whole_blood_volumes if v <= top]
    if volume_ml is None or volume_ml in allowed:
        return allowed, []
    if volume_ml not in rules.whole_blood_volumes:
        bags = ", ".join(str(v) for v in rules.whole_blood_volumes)
        return allowed, [
            _("Thể tích %(v)d ml không phải túi máu toàn phần chuẩn (%(bags)s ml).")
            % {"v": volume_ml, "bags": bags}
        ]
    return allowed, [
        _("Thể tích %(v)d ml không được phép với cân nặng %(w)s kg: tối đa %(max)d ml.")
        % {"v": volume_ml, "w": kg(weight), "max": top}
    ]


def check(
    rules: Rules, facts: DonorFacts, *, on: dt.date, kind: str, volume_ml: int | None = None
) -> Decision:
    """The decision for a donation of ``kind`` (and ``volume_ml`` when given) on ``on``."""
    if kind not in KINDS:
        return Decision(False, [_("Loại hiến máu không hợp lệ.")])
    reasons, next_date, final = _age(facts, rules, on)
    if facts.deferral_permanent:
        reasons.append(_("Đã có quyết định hoãn hiến máu vĩnh viễn."))
        final = True
    elif facts.deferral_until is not None and on <= facts.deferral_until:
        back = facts.deferral_until + dt.timedelta(days=1)
        reasons.append(
            _("Đang tạm hoãn hiến máu đến hết %(until)s: được hiến lại từ %(back)s.")
            % {"until": d(facts.deferral_until), "back": d(back)}
        )
        next_date = max(next_date or back, back)
    if facts.last_donation is not None:
        last_on, last_kind = facts.last_donation
        days = rules.interval_days(last_kind)
        back = last_on + dt.timedelta(days=days)
        if on < back:
            reasons.append(
                _(
                    "Chưa đủ %(interval)s kể từ lần hiến %(kind)s ngày %(last)s: "
                    "được hiến lại từ %(back)s."
                )
                % {
                    "interval": _interval_text(days),
                    "kind": kind_label(last_kind),
                    "last": d(last_on),
                    "back": d(back),
                }
            )
            next_date = max(next_date or back, back)
    top = 0
    allowed: list[int] = []
    if facts.weight_kg is None:
        reasons.append(_("Chưa có cân nặng: hãy cân người hiến trước khi quyết định thể tích."))
    elif facts.weight_kg <= 0:
        reasons.append(_("Cân nặng không hợp lệ."))
    else:
        if kind in APHERESIS:
            top, why = _apheresis_max(rules, facts.weight_kg)
        else:
            top, why = _whole_blood_max(facts, rules, facts.weight_kg)
        reasons += why
        if top:
            allowed, why = _volume(rules, kind, facts.weight_kg, top, volume_ml)
            reasons += why
            if not allowed:
                reasons.append(
                    _("Không có thể tích nào được phép với cân nặng %(w)s kg.")
                    % {"w": kg(facts.weight_kg)}
                )
    if final:
        next_date = None
    return Decision(
        eligible=not reasons,
        reasons=reasons,
        next_date=next_date if reasons else None,
        max_volume_ml=top or None,
        allowed_volumes=allowed,
    )
