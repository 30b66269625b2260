"""Every write of blood donation at a session: register a donor (a role of a Person), weigh,
record a donation (eligibility recomputed under a row lock on the donor), defer, and record the
free transfusions used against a certificate. Each one atomic and audited.

Sessions, honours, pledges and the donor's preferences are written in ``sessions.py``,
``honours.py``, ``pledges.py`` and ``donor_profile.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nhandao.core.audit import audit_list_view, audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import nfc
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from . import eligibility
from .models import (
    Abo,
    BloodDonation,
    BloodDonor,
    BloodSession,
    Deferral,
    DonationKind,
    Honour,
    HonourStatus,
    Rh,
    SessionRegistration,
    SessionStatus,
    TransfusionUse,
    WeightRecord,
)

A = AuditEvent.Action

# Card codes: no 0/O, 1/I/L, so a code read aloud or copied by hand is not mistaken.
CARD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CARD_LENGTH = 8
CARD_PREFIX = "HM"
WEIGHT_MIN = Decimal(20)
WEIGHT_MAX = Decimal(250)
MAX_GIFT = 10_000_000

# Why a donor is deferred (tạm hoãn); the code is stored, the label shown. Sensitive (health).
DEFERRAL_REASONS: dict[str, Any] = {
    "hemoglobin": gettext_lazy("Huyết sắc tố (Hb) thấp"),
    "blood_pressure": gettext_lazy("Huyết áp, mạch không đạt"),
    "weight": gettext_lazy("Cân nặng không đạt"),
    "illness": gettext_lazy("Đang ốm hoặc dùng thuốc"),
    "procedure": gettext_lazy("Mới phẫu thuật, xăm, xỏ khuyên, tiêm phòng"),
    "infection_risk": gettext_lazy("Nguy cơ lây nhiễm qua đường máu"),
    "pregnancy": gettext_lazy("Mang thai, sinh con, cho con bú"),
    "alcohol": gettext_lazy("Đã uống rượu bia, thiếu ngủ"),
    "chronic": gettext_lazy("Bệnh mạn tính không được hiến"),
    "other": gettext_lazy("Lý do khác"),
}


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- checks ----------------------------------------------------------------------------------


def parse_blood_group(text: str) -> tuple[str, str]:
    """ "O+", "AB Rh-", "B" (ABO only), "" (not known) → (abo, rh); anything else is refused."""
    raw = nfc(text or "").upper().replace("RH", "").replace(" ", "").replace("−", "-")
    raw = raw.replace("DƯƠNG", "+").replace("ÂM", "-")
    if raw in ("", "?"):
        return "", ""
    rh = raw[-1] if raw[-1] in "+-" else ""
    abo = raw[:-1] if rh else raw
    if abo not in Abo.values or not abo:
        raise ApplicationError(
            _("Nhóm máu «%(v)s» không có: ghi A, B, AB hoặc O, kèm Rh + hoặc − nếu biết.")
            % {"v": text},
            field="abo",
        )
    return abo, rh


def _blood_group(abo: str, rh: str) -> tuple[str, str]:
    abo, rh = (abo or "").strip().upper(), (rh or "").strip()
    if abo not in Abo.values:
        raise ApplicationError(
            _("Nhóm máu «%(v)s» không có: chọn A, B, AB, O hoặc để trống nếu chưa rõ.")
            % {"v": abo},
            field="abo",
        )
    if rh not in Rh.values:
        raise ApplicationError(_("Rh «%(v)s» không hợp lệ: chọn + hoặc −.") % {"v": rh}, field="rh")
    if rh and not abo:
        raise ApplicationError(_("Chưa rõ nhóm máu ABO thì không ghi Rh."), field="rh")
    return abo, rh


def check_weight(value: Any) -> Decimal:
    """A weight in kg as typed ("52,5" or 52.5), refused when it cannot be a person's."""
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(
            _("Cân nặng «%(v)s» không phải là số kg.") % {"v": value}, field="weight_kg"
        ) from exc
    if not weight.is_finite() or not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        raise ApplicationError(
            _("Cân nặng %(v)s kg không thể đúng: phải từ %(lo)s đến %(hi)s kg.")
            % {"v": str(value).strip(), "lo": WEIGHT_MIN, "hi": WEIGHT_MAX},
            field="weight_kg",
        )
    return weight.quantize(Decimal("0.1"))


def _not_future(day: dt.date, what: str, field: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(
            _("%(what)s %(day)s ở tương lai.") % {"what": what, "day": d(day)}, field=field
        )


def _may_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi nhận hiến máu ở đơn vị này."))


def _new_card_code() -> str:
    body = "".join(secrets.choice(CARD_ALPHABET) for _i in range(CARD_LENGTH))
    return CARD_PREFIX + body


def normalize_card_code(text: str) -> str:
    """What a scanner or a hand typed, as stored: upper case, no spaces or dashes."""
    return "".join(c for c in (text or "").upper() if c.isalnum())


# --- donors ----------------------------------------------------------------------------------


@dataclass
class DonorData:
    abo: str = ""
    rh: str = ""
    weight_kg: Any = None
    contact_sms: bool = True
    contact_call: bool = True


@transaction.atomic
def donor_register(
    *,
    actor: Any,
    unit: Any,
    person: people.PersonData | Any,
    data: DonorData | None = None,
    on: dt.date | None = None,
) -> BloodDonor:
    """Make a person a blood donor: a new Person (through the registry's checks) or an existing
    one, with blood group, contact preferences, a donor-card code, and the weight if measured."""
    data = data or DonorData()
    _may_edit(actor, unit)
    abo, rh = _blood_group(data.abo, data.rh)
    weight = check_weight(data.weight_kg) if data.weight_kg not in (None, "") else None
    if isinstance(person, people.PersonData):
        person = people.person_create(actor=actor, unit=unit, checked=people.person_check(person))
    else:
        if person.merged_into_id:
            raise ApplicationError(
                _("Hồ sơ này đã được gộp vào hồ sơ khác: hãy đăng ký cho hồ sơ còn lại.")
            )
        existing = BloodDonor.objects.filter(person=person).first()
        if existing is not None:
            raise ApplicationError(
                _("%(name)s đã là người hiến máu (thẻ số %(card)s).")
                % {"name": person.full_name, "card": existing.card_code}
            )
    donor = BloodDonor(
        person=person,
        unit=unit,
        abo=abo,
        rh=rh,
        contact_sms=data.contact_sms,
        contact_call=data.contact_call,
    )
    for _attempt in range(5):
        donor.card_code = _new_card_code()
        try:
            with transaction.atomic():
                donor.save()
            break
        except IntegrityError as exc:
            if BloodDonor.objects.filter(person=person).exists():
                raise ApplicationError(
                    _("%(name)s vừa được đăng ký là người hiến máu ở nơi khác.")
                    % {"name": person.full_name}
                ) from exc
            donor.pk = None  # the card code was taken: draw another
    else:  # pragma: no cover - 31^8 codes
        raise ApplicationError(_("Không tạo được mã thẻ, hãy thử lại."))
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=donor,
        unit_path=unit.path,
        changes={"person": [None, person.pk], "blood_group": [None, donor.blood_group]},
    )
    if weight is not None:
        weight_record(actor=actor, donor=donor, kg=weight, on=on)
    return donor


@transaction.atomic
def weight_record(
    *, actor: Any, donor: BloodDonor, kg: Any, on: dt.date | None = None
) -> WeightRecord:
    """The weight measured on a day (one a day: a second weighing replaces the first)."""
    _may_edit(actor, donor.unit)
    weight = check_weight(kg)
    on = on or timezone.localdate()
    _not_future(on, _("Ngày cân"), "measured_on")
    record = WeightRecord.objects.filter(donor=donor, measured_on=on).first()
    before = record.kg if record else None
    if record is None:
        record = WeightRecord.objects.create(donor=donor, measured_on=on, kg=weight)
    elif record.kg != weight:
        record.kg = weight
        record.save(update_fields=["kg"])
    if before != weight:
        audit_record(
            actor=actor,
            action=A.CREATE if before is None else A.UPDATE,
            obj=record,
            unit_path=donor.unit.path,
            changes={"kg": [str(before) if before is not None else None, str(weight)]},
        )
    return record


# --- eligibility facts -----------------------------------------------------------------------


def donor_facts(
    *, donor: BloodDonor, on: dt.date, weight_kg: Decimal | None = None
) -> eligibility.DonorFacts:
    """What the eligibility function needs, read from the database: the most recent donation on
    or before ``on``, the deferrals running on ``on``, the weight (given, else the latest)."""
    last = (
        BloodDonation.objects.filter(donor=donor, donated_on__lte=on)
        .order_by("-donated_on", "-pk")
        .values_list("donated_on", "kind")
        .first()
    )
    running = list(
        Deferral.objects.filter(donor=donor, deferred_on__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .values_list("until", flat=True)
    )
    if weight_kg is None:
        weight_kg = (
            WeightRecord.objects.filter(donor=donor, measured_on__lte=on)
            .values_list("kg", flat=True)
            .first()
        )
    person = donor.person
    return eligibility.DonorFacts(
        birth_date=person.birth_date,
        birth_precision=person.birth_precision,
        sex=person.sex,
        weight_kg=weight_kg,
        last_donation=(last[0], last[1]) if last else None,
        deferral_until=max((u for u in running if u is not None), default=None),
        deferral_permanent=any(u is None for u in running),
    )


def rules_on(on: dt.date) -> eligibility.Rules:
    from .selectors import rules_in_force

    return eligibility.rules_from_row(rules_in_force(on))


# --- donations -------------------------------------------------------------------------------


@dataclass
class DonationData:
    kind: str = DonationKind.WHOLE_BLOOD
    volume_ml: Any = None
    weight_kg: Any = None
    certificate_no: str = ""
    health_notes: str = ""
    gift_value: Any = 0
    donated_on: dt.date | None = None
    travel_value: Any = 0
    meal_value: Any = 0


def _check_session(session: BloodSession | None, on: dt.date) -> None:
    if session is None:
        return
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("Buổi hiến máu này đã hủy: không ghi nhận thêm."))
    if on != session.held_on:
        raise ApplicationError(
            _("Ngày hiến %(on)s khác ngày của buổi hiến máu (%(held)s).")
            % {"on": d(on), "held": d(session.held_on)},
            field="donated_on",
        )


def _certificate_taken(number: str) -> ApplicationError | None:
    other = (
        BloodDonation.objects.filter(certificate_no=number).select_related("unit").first()
        if number
        else None
    )
    if other is None:
        return None
    return ApplicationError(
        _("Số giấy chứng nhận %(no)s đã cấp cho lần hiến ngày %(day)s tại %(unit)s.")
        % {"no": number, "day": d(other.donated_on), "unit": other.unit.name},
        field="certificate_no",
        extra={"duplicate": True},
    )


def _already_today(donor: BloodDonor, on: dt.date) -> ApplicationError | None:
    other = (
        BloodDonation.objects.filter(donor=donor, donated_on=on)
        .select_related("session", "unit")
        .first()
    )
    if other is None:
        return None
    where = other.session.place if other.session_id and other.session else other.unit.name
    at = timezone.localtime(other.recorded_at).strftime("%H:%M") if other.recorded_at else ""
    return ApplicationError(
        _(
            "%(name)s đã được ghi nhận hiến %(kind)s ngày %(day)s (lúc %(at)s, tại %(where)s): "
            "không ghi lần thứ hai."
        )
        % {
            "name": donor.person.full_name,
            "kind": eligibility.kind_label(other.kind),
            "day": d(on),
            "at": at,
            "where": where,
        },
        extra={"duplicate": True, "donation": other.pk},
    )


def _int(value: Any, label: str, field: str) -> int:
    if isinstance(value, bool):
        raise ApplicationError(_("%(label)s phải là số nguyên.") % {"label": label}, field=field)
    try:
        number = int(str(value).strip().replace(".", "")) if not isinstance(value, int) else value
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("%(label)s «%(v)s» phải là số nguyên.") % {"label": label, "v": value}, field=field
        ) from exc
    return number


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    donor: BloodDonor,
    session: BloodSession | None,
    data: DonationData,
) -> BloodDonation:
    """Record a donation and its certificate. The donor's row is locked, then eligibility is
    decided again from the database (two stations cannot both pass); a refusal carries the
    decision's reasons. Counters are updated and honours reached are created."""
    on = data.donated_on or (session.held_on if session else timezone.localdate())
    unit = session.unit if session is not None else donor.unit
    _may_edit(actor, unit)
    _not_future(on, _("Ngày hiến"), "donated_on")
    _check_session(session, on)
    if data.kind not in DonationKind.values:
        raise ApplicationError(_("Loại hiến máu không hợp lệ."), field="kind")
    if data.volume_ml in (None, ""):
        raise ApplicationError(_("Chưa ghi thể tích hiến (ml)."), field="volume_ml")
    volume = _int(data.volume_ml, _("Thể tích"), "volume_ml")
    if data.weight_kg in (None, ""):
        raise ApplicationError(_("Chưa ghi cân nặng khi hiến."), field="weight_kg")
    weight = check_weight(data.weight_kg)
    gift = _int(data.gift_value or 0, _("Giá trị quà tặng"), "gift_value")
    travel = _int(data.travel_value or 0, _("Hỗ trợ đi lại"), "travel_value")
    meal = _int(data.meal_value or 0, _("Hỗ trợ ăn nhẹ"), "meal_value")
    for field_name, amount in (
        ("gift_value", gift),
        ("travel_value", travel),
        ("meal_value", meal),
    ):
        if not 0 <= amount <= MAX_GIFT:
            raise ApplicationError(
                _("Số tiền %(v)s đ không hợp lệ.") % {"v": amount}, field=field_name
            )
    number = nfc(data.certificate_no or "").strip().upper()
    if len(number) > 40:
        raise ApplicationError(_("Số giấy chứng nhận dài quá 40 ký tự."), field="certificate_no")
    donor = BloodDonor.objects.select_for_update().select_related("person", "unit").get(pk=donor.pk)
    if donor.person.merged_into_id:
        raise ApplicationError(_("Hồ sơ này đã được gộp vào hồ sơ khác."))
    problem = _already_today(donor, on) or _certificate_taken(number)
    if problem is not None:
        raise problem
    rules = rules_on(on)
    support = eligibility.support_problems(
        rules, kind=data.kind, volume_ml=volume, gift=gift, travel=travel, meal=meal
    )
    if support:
        raise ApplicationError(" ".join(m for _f, m in support), field=support[0][0])
    facts = donor_facts(donor=donor, on=on, weight_kg=weight)
    decision = eligibility.check(rules, facts, on=on, kind=data.kind, volume_ml=volume)
    if not decision.eligible:
        raise ApplicationError(
            " ".join(decision.reasons),
            field="volume_ml" if volume not in decision.allowed_volumes else None,
            extra={"ineligible": True, "reasons": decision.reasons},
        )
    first_time = donor.donation_count == 0
    donation = BloodDonation(
        donor=donor,
        session=session,
        unit=unit,
        donated_on=on,
        kind=data.kind,
        volume_ml=volume,
        weight_kg=weight,
        certificate_no=number,
        health_notes=nfc(data.health_notes or "").strip(),
        gift_value=gift,
        travel_value=travel,
        meal_value=meal,
        first_time=first_time,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            donation.save()
    except IntegrityError as exc:  # the unique indexes decide when the lock could not
        raise (
            _already_today(donor, on)
            or _certificate_taken(number)
            or ApplicationError(
                _("Lần hiến này vừa được ghi nhận ở trạm khác."), extra={"duplicate": True}
            )
        ) from exc
    weight_record(actor=actor, donor=donor, kg=weight, on=on)
    donor.donation_count += 1
    fields = ["donation_count", "updated_at"]
    if donor.last_donation_on is None or on >= donor.last_donation_on:
        donor.last_donation_on, donor.last_donation_kind = on, data.kind
        fields += ["last_donation_on", "last_donation_kind"]
    donor.save(update_fields=fields)
    if session is not None:
        SessionRegistration.objects.filter(
            session=session, donor=donor, checked_in_at__isnull=True
        ).update(checked_in_at=timezone.now())
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=donation,
        unit_path=unit.path,
        changes={
            "donor": [None, donor.pk],
            "kind": [None, data.kind],
            "volume_ml": [None, volume],
            "certificate_no": [None, number],
            "gift_value": [None, gift],
            "travel_value": [None, travel],
            "meal_value": [None, meal],
            "health_notes": [None, "***" if donation.health_notes else ""],
        },
    )
    _honours(donor)
    return donation


def _honours(donor: BloodDonor) -> None:
    try:
        from . import honours
    except ImportError:  # pragma: no cover - honours are written beside this module
        return
    honours.honours_after_donation(donor=donor)


# --- deferrals -------------------------------------------------------------------------------


@dataclass
class DeferralData:
    reason_code: str = ""
    reason_text: str = ""
    until: dt.date | None = None
    days: int | None = None
    permanent: bool = False
    deferred_on: dt.date | None = None


@transaction.atomic
def deferral_record(
    *, actor: Any, donor: BloodDonor, session: BloodSession | None, data: DeferralData
) -> Deferral:
    """Defer a donor: a reason (sensitive), until a day (or for some days), or permanently."""
    on = data.deferred_on or (session.held_on if session else timezone.localdate())
    unit = session.unit if session is not None else donor.unit
    _may_edit(actor, unit)
    _not_future(on, _("Ngày tạm hoãn"), "deferred_on")
    if session is not None and session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("Buổi hiến máu này đã hủy: không ghi nhận thêm."))
    if data.reason_code not in DEFERRAL_REASONS:
        raise ApplicationError(_("Chọn lý do tạm hoãn trong danh sách."), field="reason_code")
    text = nfc(data.reason_text or "").strip()
    if data.reason_code == "other" and not text:
        raise ApplicationError(_("Lý do khác: hãy ghi rõ lý do."), field="reason_text")
    if len(text) > 255:
        raise ApplicationError(_("Ghi chú dài quá 255 ký tự."), field="reason_text")
    until = data.until
    if data.days is not None:
        if data.days < 1 or data.days > 3650:
            raise ApplicationError(_("Số ngày tạm hoãn phải từ 1 đến 3650."), field="days")
        until = on + dt.timedelta(days=data.days - 1)
    if data.permanent and until is not None:
        raise ApplicationError(_("Hoãn vĩnh viễn thì không ghi ngày hoãn đến."), field="until")
    if not data.permanent and until is None:
        raise ApplicationError(
            _("Ghi hoãn đến ngày nào (hoặc số ngày), hoặc chọn hoãn vĩnh viễn."), field="until"
        )
    if until is not None and until < on:
        raise ApplicationError(
            _("Ngày hoãn đến %(until)s trước ngày tạm hoãn %(on)s.")
            % {"until": d(until), "on": d(on)},
            field="until",
        )
    BloodDonor.objects.select_for_update().filter(pk=donor.pk).first()
    deferral = Deferral.objects.create(
        donor=donor,
        session=session,
        unit=unit,
        deferred_on=on,
        reason_code=data.reason_code,
        reason_text=text,
        until=until,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=deferral,
        unit_path=unit.path,
        changes={
            "donor": [None, donor.pk],
            "reason": [None, "***"],
            "until": [None, until.isoformat() if until else "vĩnh viễn"],
        },
    )
    return deferral


def deferral_label(code: str) -> str:
    return str(DEFERRAL_REASONS.get(code, code))


def sensitive_viewed(*, actor: Any, donor: BloodDonor, ip: str | None, what: str) -> None:
    """Every view of a donor's health answers or deferral reasons is logged."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=donor,
        unit_path=donor.unit.path,
        changes={"viewed": [None, what]},
        ip_address=ip,
    )


def sensitive_list_viewed(**kwargs: Any) -> None:
    """A list of donors served with their phones in full (a page, a workbook, a CSV file),
    logged once (``core.audit.audit_list_view``)."""
    audit_list_view(object_type=BloodDonor._meta.label_lower, **kwargs)


# --- free transfusion against a certificate --------------------------------------------------


def volume_used(donation: BloodDonation) -> int:
    return int(donation.uses.aggregate(v=Sum("volume_ml"))["v"] or 0)


@transaction.atomic
def transfusion_use_record(
    *,
    actor: Any,
    donation: BloodDonation,
    used_on: dt.date,
    volume_ml: Any,
    hospital: str,
    patient: str = "",
) -> TransfusionUse:
    """Record blood given free against a certificate: never more, in all, than was donated
    (the donation's row is locked so two hospitals cannot both take the rest)."""
    donation = (
        BloodDonation.objects.select_for_update()
        .select_related("unit", "donor__unit")
        .get(pk=donation.pk)
    )
    if not (can(actor, "data.edit", donation.unit) or can(actor, "data.edit", donation.donor.unit)):
        raise ApplicationError(_("Bạn không có quyền ghi nhận ở đơn vị này."))
    if used_on is None:
        raise ApplicationError(_("Chưa ghi ngày sử dụng."), field="used_on")
    _not_future(used_on, _("Ngày sử dụng"), "used_on")
    if used_on < donation.donated_on:
        raise ApplicationError(
            _("Ngày sử dụng %(used)s trước ngày hiến %(on)s.")
            % {"used": d(used_on), "on": d(donation.donated_on)},
            field="used_on",
        )
    volume = _int(volume_ml, _("Thể tích"), "volume_ml")
    if volume <= 0:
        raise ApplicationError(_("Thể tích phải lớn hơn 0 ml."), field="volume_ml")
    hospital = nfc(hospital or "").strip()
    if not hospital:
        raise ApplicationError(_("Chưa ghi cơ sở y tế."), field="hospital")
    left = donation.volume_ml - volume_used(donation)
    if volume > left:
        label = donation.certificate_no or _("của lần hiến ngày %s") % d(donation.donated_on)
        raise ApplicationError(
            _(
                "Giấy chứng nhận %(no)s (hiến %(given)d ml) chỉ còn %(left)d ml được truyền "
                "miễn phí, không đủ %(v)d ml."
            )
            % {"no": label, "given": donation.volume_ml, "left": left, "v": volume},
            field="volume_ml",
        )
    use = TransfusionUse.objects.create(
        donation=donation,
        used_on=used_on,
        volume_ml=volume,
        hospital=hospital[:255],
        patient=nfc(patient or "").strip()[:150],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=use,
        unit_path=donation.unit.path,
        changes={"donation": [None, donation.pk], "volume_ml": [None, volume]},
    )
    return use


def merge_profiles(*, survivor_profile: BloodDonor, merged_profile: BloodDonor) -> None:
    """Both merged persons were blood donors (``people.person_merge`` hook): the survivor's
    profile takes the other's donations, weights, deferrals, registrations and honours, its
    counters are recomputed (and honours newly reached are created); the other profile is then
    removed (its person keeps the history). Two donations on the same day cannot both be right:
    the merge is refused so that an officer looks first."""
    from .honours import honours_after_donation

    survivor, merged = survivor_profile, merged_profile
    theirs = BloodDonation.objects.filter(donor=merged)
    clash = (
        BloodDonation.objects.filter(donor=survivor)
        .filter(donated_on__in=theirs.values("donated_on"))
        .values_list("donated_on", flat=True)
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            _("Cả hai hồ sơ có một lần hiến máu ngày %(day)s: hãy xem lại trước khi gộp.")
            % {"day": clash.strftime("%d/%m/%Y")}
        )
    theirs.update(donor=survivor)
    WeightRecord.objects.filter(donor=merged).update(donor=survivor)
    Deferral.objects.filter(donor=merged).update(donor=survivor)
    registered = SessionRegistration.objects.filter(donor=survivor).values("session_id")
    SessionRegistration.objects.filter(donor=merged, session_id__in=registered).delete()
    SessionRegistration.objects.filter(donor=merged).update(donor=survivor)
    for honour in Honour.objects.filter(donor=merged):
        mine = Honour.objects.filter(donor=survivor, rule_id=honour.rule_id).first()
        if mine is None:
            honour.donor = survivor
            honour.save(update_fields=["donor"])
        elif honour.status == HonourStatus.PENDING:
            honour.delete()
        elif mine.status == HonourStatus.PENDING:
            mine.delete()
            honour.donor = survivor
            honour.save(update_fields=["donor"])
        else:
            raise ApplicationError(
                _("Cả hai hồ sơ đã được khen “%(award)s”: hãy xem lại trước khi gộp.")
                % {"award": honour.rule.award}
            )
    latest = BloodDonation.objects.filter(donor=survivor).order_by("-donated_on").first()
    survivor.donation_count = BloodDonation.objects.filter(donor=survivor).count()
    survivor.last_donation_on = latest.donated_on if latest else None
    survivor.last_donation_kind = latest.kind if latest else ""
    survivor.abo = survivor.abo or merged.abo
    survivor.rh = survivor.rh or merged.rh
    survivor.opted_out = survivor.opted_out or merged.opted_out
    survivor.save()
    audit_record(
        actor=None,
        action=A.MERGE,
        obj=survivor,
        unit_path=survivor.unit.path,
        changes={
            "merged_profile": [None, merged.card_code],
            "donation_count": [None, survivor.donation_count],
        },
    )
    merged.delete()
    honours_after_donation(donor=survivor)
