"""Duplicate donors: candidate pairs in a scope, and the two decisions on a pair — merge them (the
survivor keeps its id and takes over everything the other had) or keep them apart for good.

A pair is proposed when the two records share a tax code; or the same folded name with the same
phone or e-mail; or, for two donors of the same kind, folded names with a rapidfuzz token ratio of
90 or more. A pair once decided is never proposed again."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from .models import (
    Donation,
    Donor,
    DonorContact,
    DonorKind,
    DonorPairDecision,
    PaymentRequest,
    Pledge,
    Sponsorship,
)
from .services import require

A = AuditEvent.Action
FUZZY_THRESHOLD = 90
# Fuzzy comparison is all-against-all within a block of distinct names; beyond this many names in
# one block only the exact rules (tax code, name with phone or e-mail) run, to keep the page quick.
FUZZY_LIMIT = 3000
# Namesakes are many (the same given and family names): at most this many records of one folded
# name take part in pairs at a time; merging them brings the next ones forward.
PER_NAME = 20
FILLABLE = ("tax_code", "id_number", "phone", "email", "address", "country")


@dataclass
class DonorPair:
    first: Donor
    second: Donor
    reasons: list[str] = field(default_factory=list)
    score: int = 0

    @property
    def key(self) -> str:
        return f"{self.first.pk}-{self.second.pk}"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _tax(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def donor_pairs(*, user: Any, limit: int = 200) -> list[DonorPair]:
    """Candidate pairs among the active donors in the user's scope, strongest first."""
    donors = list(
        Donor.objects.visible_to(user)
        .active()
        .exclude(kind=DonorKind.ANONYMOUS)
        .select_related("unit")
        .order_by("pk")
    )
    by_id = {x.pk: x for x in donors}
    found: dict[tuple[int, int], DonorPair] = {}

    def add(a: Donor, b: Donor, reason: str, score: int) -> None:
        if a.pk == b.pk:
            return
        key = (min(a.pk, b.pk), max(a.pk, b.pk))
        pair = found.get(key)
        if pair is None:
            pair = found[key] = DonorPair(by_id[key[0]], by_id[key[1]])
        if reason not in pair.reasons:
            pair.reasons.append(reason)
        pair.score = max(pair.score, score)

    groups: dict[tuple[str, str], list[Donor]] = defaultdict(list)
    for x in donors:
        if _tax(x.tax_code):
            groups[("tax", _tax(x.tax_code))].append(x)
        if x.name_key and len(_digits(x.phone)) >= 8:
            groups[("phone", f"{x.name_key}|{_digits(x.phone)}")].append(x)
        if x.name_key and x.email:
            groups[("email", f"{x.name_key}|{x.email.lower()}")].append(x)
    labels = {
        "tax": _("cùng mã số thuế"),
        "phone": _("cùng tên và số điện thoại"),
        "email": _("cùng tên và thư điện tử"),
    }
    for (rule, _value), members in groups.items():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                add(a, b, labels[rule], 100)

    # Fuzzy names, within a kind: distinct folded names only (namesakes are compared once),
    # blocked by the first two letters of the last word, so the work grows with the variety of
    # names rather than with the square of the donors.
    blocks: dict[tuple[str, str], dict[str, list[Donor]]] = defaultdict(lambda: defaultdict(list))
    for x in donors:
        if x.name_key:
            blocks[(x.kind, x.name_key.split()[-1][:2])][x.name_key].append(x)
    for by_name in blocks.values():
        names = list(by_name)
        for name in names:  # the same folded name: a token ratio of 100
            same = by_name[name][:PER_NAME]
            for i, a in enumerate(same):
                for b in same[i + 1 :]:
                    add(a, b, _("tên gần giống (%(n)s%%)") % {"n": 100}, 100)
        if len(names) < 2 or len(names) > FUZZY_LIMIT:
            continue
        matrix = process.cdist(
            names,
            names,
            scorer=fuzz.token_ratio,
            score_cutoff=FUZZY_THRESHOLD,
            dtype="uint8",
            workers=-1,
        )
        rows, cols = matrix.nonzero()
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if i < j:
                score = int(matrix[i, j])
                label = _("tên gần giống (%(n)s%%)") % {"n": score}
                for a in by_name[names[i]][:PER_NAME]:
                    for b in by_name[names[j]][:PER_NAME]:
                        add(a, b, label, score)

    if found:
        ids = list(by_id)
        decided: set[tuple[int, int]] = set(
            DonorPairDecision.objects.filter(first_id__in=ids, second_id__in=ids).values_list(
                "first_id", "second_id"
            )
        )
        for first, second in list(decided):
            decided.add((second, first))
        found = {k: v for k, v in found.items() if k not in decided}
    pairs = sorted(found.values(), key=lambda p: (-p.score, -len(p.reasons), p.first.pk))
    return pairs[:limit]


def _ordered(a: Donor, b: Donor) -> tuple[Donor, Donor]:
    return (a, b) if a.pk < b.pk else (b, a)


def _decide(*, actor: Any, a: Donor, b: Donor, same: bool) -> DonorPairDecision:
    first, second = _ordered(a, b)
    decision, _created = DonorPairDecision.objects.update_or_create(
        first=first, second=second, defaults={"same": same, "decided_by": actor}
    )
    return decision


def _check_pair(actor: Any, a: Donor, b: Donor) -> None:
    if a.pk == b.pk:
        raise ApplicationError(_("Hãy chọn hai hồ sơ khác nhau."))
    for x in (a, b):
        require(actor, "donation.record", x.unit)
        if x.merged_into_id:
            raise ApplicationError(
                _("Hồ sơ «%(name)s» đã được hợp nhất trước đó.") % {"name": x.name}
            )


@transaction.atomic
def donor_pair_reject(*, actor: Any, a: Donor, b: Donor) -> DonorPairDecision:
    """ "Not the same donor": the pair is never proposed again."""
    _check_pair(actor, a, b)
    first, second = _ordered(a, b)
    if DonorPairDecision.objects.filter(first=first, second=second).exists():
        raise ApplicationError(_("Cặp hồ sơ này đã được xem xét."))
    decision = _decide(actor=actor, a=a, b=b, same=False)
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=first,
        unit_path=first.unit.path,
        changes={"not_same_as": second.pk, "name": second.name},
    )
    return decision


@transaction.atomic
def donor_merge(*, actor: Any, survivor: Donor, other: Donor) -> Donor:
    """Merge ``other`` into ``survivor``: its donations, pledges, sponsorships, payment requests
    and contacts move over; blank fields of the survivor are filled from it; it keeps its row with
    ``merged_into`` so old links lead to the survivor. Audited with everything that moved."""
    _check_pair(actor, survivor, other)
    locked = {
        x.pk: x
        for x in Donor.objects.select_for_update()
        .select_related("unit")
        .filter(pk__in=[survivor.pk, other.pk])
        .order_by("pk")
    }
    survivor, other = locked[survivor.pk], locked[other.pk]
    if survivor.merged_into_id or other.merged_into_id:
        raise ApplicationError(_("Một trong hai hồ sơ vừa được hợp nhất; hãy tải lại trang."))

    moved: dict[str, list[int]] = {}
    for label, model in (
        ("donations", Donation),
        ("pledges", Pledge),
        ("sponsorships", Sponsorship),
        ("payment_requests", PaymentRequest),
        ("contacts", DonorContact),
    ):
        qs = model.objects.filter(donor=other)  # type: ignore[attr-defined]
        moved[label] = list(qs.values_list("pk", flat=True))
        if moved[label]:
            qs.update(donor=survivor)
    earlier = list(Donor.objects.filter(merged_into=other).values_list("pk", flat=True))
    if earlier:
        Donor.objects.filter(pk__in=earlier).update(merged_into=survivor)

    filled: dict[str, str] = {}
    for name in FILLABLE:
        if not getattr(survivor, name) and getattr(other, name):
            setattr(survivor, name, getattr(other, name))
            filled[name] = getattr(other, name)
    if survivor.note != other.note and other.note:
        survivor.note = (survivor.note + "\n" + other.note).strip()
    survivor.save()
    other.merged_into = survivor
    other.save(update_fields=["merged_into", "updated_at"])
    _decide(actor=actor, a=survivor, b=other, same=True)

    counts = {k: len(v) for k, v in moved.items()}
    audit_record(
        actor=actor,
        action=A.MERGE,
        obj=survivor,
        unit_path=survivor.unit.path,
        changes={
            "merged": other.pk,
            "merged_name": other.name,
            "moved": {k: v[:1000] for k, v in moved.items()},
            "counts": counts,
            "filled": {k: ("***" if k == "id_number" else v) for k, v in filled.items()},
            "earlier_merged": earlier,
        },
    )
    audit_record(
        actor=actor,
        action=A.MERGE,
        obj=other,
        unit_path=other.unit.path,
        changes={"merged_into": survivor.pk, "counts": counts},
    )
    return survivor


def pair_rows(a: Donor, b: Donor, *, show_id: bool) -> list[tuple[str, str, str, bool]]:
    """The side-by-side lines of the review page: (label, a, b, agree). Without ``show_id``
    (pii.view at both donors' units) the ID numbers and phones are masked."""
    from nhandao.core.masking import mask_id, mask_phone

    def value(x: Donor, name: str) -> str:
        v = getattr(x, name)
        if name == "kind":
            return str(x.get_kind_display())
        if name == "id_number" and v and not show_id:
            return mask_id(v)
        if name == "phone" and v and not show_id:
            return mask_phone(v)
        if name == "unit":
            return x.unit.name
        return str(v or "")

    fields = [
        ("kind", _("Loại")),
        ("name", _("Tên")),
        ("tax_code", _("Mã số thuế")),
        ("id_number", _("Số định danh")),
        ("phone", _("Điện thoại")),
        ("email", _("Thư điện tử")),
        ("address", _("Địa chỉ")),
        ("country", _("Quốc gia")),
        ("unit", _("Đơn vị quản lý")),
    ]
    rows = []
    for name, label in fields:
        va, vb = value(a, name), value(b, name)
        rows.append((str(label), va, vb, bool(va) and va == vb))
    counts = []
    for x in (a, b):
        counts.append(
            _("%(d)s khoản ủng hộ, %(p)s cam kết, %(s)s gắn kết")
            % {
                "d": Donation.objects.filter(donor=x).count(),
                "p": Pledge.objects.filter(donor=x).count(),
                "s": Sponsorship.objects.filter(donor=x).count(),
            }
        )
    rows.append((str(_("Lịch sử")), counts[0], counts[1], False))
    return rows


def decided_pair(a: Donor, b: Donor) -> bool:
    first, second = _ordered(a, b)
    return DonorPairDecision.objects.filter(Q(first=first, second=second)).exists()
