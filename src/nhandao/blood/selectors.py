"""Every read of blood donation, scoped: donors, sessions, honours, reminders, pledges and the
statistics of a unit or a blood drive."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.scoping import get_visible_or_404

from .models import (
    Abo,
    BloodDonation,
    BloodDonor,
    BloodRules,
    BloodSession,
    Deferral,
    DonationKind,
    Honour,
    HonourStatus,
    OrganPledge,
    PledgeKind,
    SessionRegistration,
)

# Blood groups as a filter offers them: "O+" (ABO and Rh), "O" (every O), "?" (not known).
BLOOD_GROUPS = [f"{a}{r}" for a in ("A", "B", "AB", "O") for r in ("+", "-")]


def rules_in_force(on: dt.date | None = None) -> BloodRules:
    """The thresholds in force on a day: the latest row valid from that day or before."""
    on = on or timezone.localdate()
    row = BloodRules.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    return row or BloodRules.objects.order_by("valid_from").first() or BloodRules()


def interval_days(rules: BloodRules) -> dict[str, int]:
    return {
        DonationKind.WHOLE_BLOOD: rules.interval_whole_blood_days,
        DonationKind.RED_CELLS: rules.interval_red_cells_days,
        DonationKind.PLASMA: rules.interval_plasma_days,
        DonationKind.PLATELETS: rules.interval_platelets_days,
    }


def next_donation_on(donor: BloodDonor, rules: BloodRules | None = None) -> dt.date | None:
    """The first day the interval of the last donation's kind allows another (None: any day)."""
    if donor.last_donation_on is None:
        return None
    days = interval_days(rules or rules_in_force()).get(donor.last_donation_kind, 0)
    return donor.last_donation_on + dt.timedelta(days=days)


def eligible_again_filter(today: dt.date, rules: BloodRules) -> Q:
    """Donors whose last donation is old enough for its kind, and who have no deferral running
    (a permanent one, or one until today or later)."""
    q = Q(last_donation_on__isnull=True)
    for kind, days in interval_days(rules).items():
        q |= Q(last_donation_kind=kind, last_donation_on__lte=today - dt.timedelta(days=days))
    running = Deferral.objects.filter(donor=OuterRef("pk")).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    return q & ~Q(Exists(running))


def _group_filter(group: str) -> Q:
    if group == "?":
        return Q(abo=Abo.UNKNOWN)
    if group.endswith(("+", "-")) and group[:-1] in Abo.values:
        return Q(abo=group[:-1], rh=group[-1])
    if group in Abo.values:
        return Q(abo=group)
    return Q()


def _in_unit(unit: Any, field: str = "unit") -> Q:
    return Q(**{f"{field}__path__startswith": unit.path}) if unit is not None else Q()


# --- donors ----------------------------------------------------------------------------------


def donor_list(
    *,
    user: Any,
    query: str = "",
    group: str = "",
    unit: Any = None,
    eligible_again: bool = False,
    today: dt.date | None = None,
) -> QuerySet[BloodDonor]:
    """Donors in scope, found by name, ID, phone or card code, in Vietnamese name order."""
    qs = BloodDonor.objects.visible_to(user).select_related("person", "person__ward", "unit")
    query = query.strip()
    if query:
        qs = qs.filter(Q(card_code__iexact=query) | Q(person__in=_people_matching(query)))
    if group:
        qs = qs.filter(_group_filter(group))
    qs = qs.filter(_in_unit(unit))
    if eligible_again:
        today = today or timezone.localdate()
        qs = qs.filter(eligible_again_filter(today, rules_in_force(today)))
    return qs.order_by("person__sort_key", "pk")


def _people_matching(query: str) -> Any:
    from nhandao.people.models import Person
    from nhandao.people.selectors import person_search_filter

    return Person.objects.filter(person_search_filter(query)).values("pk")


def donor_get(*, user: Any, pk: Any) -> BloodDonor:
    qs = BloodDonor.objects.select_related("person", "person__ward", "person__household", "unit")
    return get_visible_or_404(qs, user, pk=pk)


@dataclass
class DonorHistory:
    weights: list[Any]
    donations: list[BloodDonation]
    deferrals: list[Deferral]
    honours: list[Honour]
    pledges: list[OrganPledge]
    next_on: dt.date | None
    volume_ml: int = 0


def donor_history(*, donor: BloodDonor) -> DonorHistory:
    """What the donor's page shows: weights, donations, deferrals, honours (own and family's),
    pledges, and the first day another donation is allowed."""
    donations = list(
        donor.donations.select_related("session", "unit").order_by("-donated_on", "-pk")
    )
    honour_q = Q(donor=donor)
    if donor.person.household_id:
        honour_q |= Q(household_id=donor.person.household_id)
    return DonorHistory(
        weights=list(donor.weights.all()[:20]),
        donations=donations,
        deferrals=list(donor.deferrals.select_related("unit").order_by("-deferred_on", "-pk")[:50]),
        honours=list(
            Honour.objects.filter(honour_q).select_related("rule").order_by("-reached_on", "pk")
        ),
        pledges=list(OrganPledge.objects.filter(person=donor.person).order_by("-registered_on")),
        next_on=next_donation_on(donor),
        volume_ml=sum(d.volume_ml for d in donations),
    )


def donor_by_person(*, person: Any) -> BloodDonor | None:
    return BloodDonor.objects.filter(person=person).first()


# --- sessions --------------------------------------------------------------------------------


def session_list(
    *, user: Any, campaign: Any = None, year: int | None = None
) -> QuerySet[BloodSession]:
    qs = BloodSession.objects.visible_to(user).select_related("unit", "campaign")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.annotate(
        registered=Count("registrations", distinct=True),
        collected=Count("donations", distinct=True),
    ).order_by("-held_on", "place")


def session_get(*, user: Any, pk: Any) -> BloodSession:
    return get_visible_or_404(BloodSession.objects.select_related("unit", "campaign"), user, pk=pk)


def session_registrations(*, session: BloodSession) -> list[SessionRegistration]:
    return list(
        session.registrations.select_related("donor", "donor__person").order_by(
            "donor__person__sort_key", "pk"
        )
    )


def session_registration_get(*, session: BloodSession, pk: Any) -> SessionRegistration:
    """A registration of a session already fetched through the scope, or 404."""
    from django.http import Http404

    try:
        return session.registrations.select_related("donor").get(pk=int(pk))
    except (SessionRegistration.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


@dataclass
class SessionResults:
    donations: list[BloodDonation]
    deferrals: list[Deferral]
    units: int
    volume_ml: int
    first_time: int
    by_group: dict[str, int]


def session_results(*, session: BloodSession) -> SessionResults:
    donations = list(
        session.donations.select_related("donor", "donor__person").order_by("recorded_at", "pk")
    )
    groups = Counter(d.donor.blood_group or "?" for d in donations)
    return SessionResults(
        donations=donations,
        deferrals=list(session.deferrals.select_related("donor", "donor__person")),
        units=len(donations),
        volume_ml=sum(d.volume_ml for d in donations),
        first_time=sum(1 for d in donations if d.first_time),
        by_group=dict(sorted(groups.items())),
    )


def donor_candidates(*, user: Any, session: BloodSession, query: str) -> list[BloodDonor]:
    """Donors to register in advance for a session (not registered yet), at most 20."""
    if len(query.strip()) < 2:
        return []
    taken = session.registrations.values("donor_id")
    return list(donor_list(user=user, query=query).exclude(pk__in=taken)[:20])


# --- honours ---------------------------------------------------------------------------------


def honour_list(
    *, user: Any, unit: Any = None, year: int | None = None, status: str = ""
) -> QuerySet[Honour]:
    """Honours for the ceremony list: by awarding body, award, then name."""
    qs = Honour.objects.visible_to(user).select_related(
        "rule",
        "unit",
        "donor",
        "donor__person",
        "donor__person__ward",
        "household",
        "household__head",
    )
    qs = qs.filter(_in_unit(unit))
    if year:
        qs = qs.filter(reached_on__year=year)
    if status in HonourStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by(
        "rule__awarding_body", "rule__scope", "rule__threshold", "donor__person__sort_key", "pk"
    )


def honour_get(*, user: Any, pk: Any) -> Honour:
    return get_visible_or_404(
        Honour.objects.select_related("rule", "unit", "donor", "donor__person"), user, pk=pk
    )


def family_members(*, honour: Honour) -> list[BloodDonor]:
    if honour.household_id is None:
        return []
    return list(
        BloodDonor.objects.filter(person__household_id=honour.household_id)
        .select_related("person")
        .order_by("person__sort_key")
    )


# --- reminders -------------------------------------------------------------------------------


def reminder_list(
    *,
    user: Any,
    unit: Any = None,
    group: str = "",
    channel: str = "",
    today: dt.date | None = None,
) -> QuerySet[BloodDonor]:
    """Donors eligible again today who accept reminders (not opted out, a channel they accept,
    a phone to reach them), by unit and blood group."""
    today = today or timezone.localdate()
    qs = donor_list(user=user, group=group, unit=unit, eligible_again=True, today=today)
    qs = qs.filter(opted_out=False).exclude(person__phone="")
    if channel == "sms":
        qs = qs.filter(contact_sms=True)
    elif channel == "call":
        qs = qs.filter(contact_call=True)
    else:
        qs = qs.filter(Q(contact_sms=True) | Q(contact_call=True))
    return qs.order_by("unit__path", "abo", "rh", "person__sort_key", "pk")


# --- pledges ---------------------------------------------------------------------------------


def pledge_list(
    *, user: Any, unit: Any = None, kind: str = "", include_withdrawn: bool = False
) -> QuerySet[OrganPledge]:
    qs = OrganPledge.objects.visible_to(user).select_related("person", "unit")
    qs = qs.filter(_in_unit(unit))
    if kind in PledgeKind.values:
        qs = qs.filter(kind=kind)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_on__isnull=True)
    return qs.order_by("person__sort_key", "kind", "pk")


def pledge_get(*, user: Any, pk: Any) -> OrganPledge:
    return get_visible_or_404(OrganPledge.objects.select_related("person", "unit"), user, pk=pk)


@dataclass
class PledgeCount:
    unit: Any
    counts: dict[str, int] = field(default_factory=dict)
    withdrawn: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def pledge_counts(*, user: Any, unit: Any) -> list[PledgeCount]:
    """Live pledges per kind for the unit and each of its sub-units (summed over their subtrees),
    and the withdrawn ones."""
    from nhandao.campaigns.models import STEPLEN
    from nhandao.orgs.models import Unit

    width = (unit.depth + 1) * STEPLEN
    rows = (
        OrganPledge.objects.visible_to(user)
        .filter(unit__path__startswith=unit.path)
        .values_list("unit__path", "kind", "withdrawn_on")
    )
    own = PledgeCount(unit)
    by_child: dict[str, PledgeCount] = {}
    children = {
        u.path: u for u in Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
    }
    for path, kind, withdrawn in rows:
        targets = [own]
        child = children.get(path[:width])
        if child is not None:
            targets.append(by_child.setdefault(child.path, PledgeCount(child)))
        for t in targets:
            if withdrawn is None:
                t.counts[kind] = t.counts.get(kind, 0) + 1
            else:
                t.withdrawn += 1
    return [own, *[by_child[p] for p in sorted(by_child)]]


# --- statistics ------------------------------------------------------------------------------


@dataclass
class BloodStats:
    year: int
    months: list[tuple[int, int, int]]  # (month, units collected, target of the month or 0)
    total: int
    target: int
    by_group: list[tuple[str, int]]
    first_time: int
    repeat: int
    volume_ml: int
    deferrals: list[tuple[str, int]]
    sessions: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.total / self.target if self.target else None


# Small-cell suppression: a deferral reason given for fewer donors than this is not named to a
# role without pii.view (with who gave blood that day, a count of 1 or 2 names the person).
SMALL_CELL = 5


def blood_stats(
    *, user: Any, year: int, unit: Any = None, campaign: Any = None, small_cell: int = 0
) -> BloodStats:
    """Units collected (one donation = one unit) against the sessions' targets by month, by blood
    group, first-time and repeat donors, deferral reasons: for a unit's subtree or a blood drive.
    A drive's target is its campaign target in blood units when one is set. With ``small_cell``
    the reasons given for fewer donors than that are counted together as "other reasons"."""
    donations = BloodDonation.objects.visible_to(user).filter(donated_on__year=year)
    sessions = BloodSession.objects.visible_to(user).filter(held_on__year=year)
    deferrals = Deferral.objects.visible_to(user).filter(deferred_on__year=year)
    if campaign is not None:
        donations = donations.filter(session__campaign=campaign)
        sessions = sessions.filter(campaign=campaign)
        deferrals = deferrals.filter(session__campaign=campaign)
    if unit is not None:
        donations = donations.filter(_in_unit(unit))
        sessions = sessions.exclude(status="cancelled").filter(_in_unit(unit))
        deferrals = deferrals.filter(_in_unit(unit))
    by_month = dict(
        donations.annotate(m=ExtractMonth("donated_on")).values_list("m").annotate(n=Count("pk"))
    )
    target_by_month = dict(
        sessions.exclude(status="cancelled")
        .annotate(m=ExtractMonth("held_on"))
        .values_list("m")
        .annotate(n=_sum("target_units"))
    )
    groups = Counter(
        (abo or "?") + (rh if abo else "")
        for abo, rh in donations.values_list("donor__abo", "donor__rh")
    )
    first = donations.filter(first_time=True).count()
    total = sum(by_month.values())
    target = sum(int(v or 0) for v in target_by_month.values())
    if campaign is not None:
        target = _campaign_blood_target(campaign, unit) or target
    from .services import deferral_label

    reasons: Counter[str] = Counter()
    donors_of: dict[str, set[int]] = {}
    for code, donor_id in deferrals.values_list("reason_code", "donor_id"):
        label = str(deferral_label(code))
        reasons[label] += 1
        donors_of.setdefault(label, set()).add(donor_id)
    few = [label for label, ids in donors_of.items() if len(ids) < small_cell]
    hidden = sum(reasons.pop(label) for label in few)
    deferral_rows = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    if hidden:
        label = _("Lý do khác (mỗi lý do dưới %(n)s người)") % {"n": small_cell}
        deferral_rows.append((label, hidden))
    return BloodStats(
        year=year,
        months=[(m, by_month.get(m, 0), int(target_by_month.get(m) or 0)) for m in range(1, 13)],
        total=total,
        target=target,
        by_group=sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])),
        first_time=first,
        repeat=total - first,
        volume_ml=int(donations.aggregate(v=_sum("volume_ml"))["v"] or 0),
        deferrals=deferral_rows,
        sessions=sessions.count(),
    )


def _sum(name: str) -> Any:
    from django.db.models import Sum

    return Sum(name)


def _campaign_blood_target(campaign: Any, unit: Any) -> int:
    from nhandao.campaigns.models import Metric
    from nhandao.campaigns.selectors import target_list

    where = unit or campaign.unit
    for t in target_list(campaign=campaign, unit=where).filter(group__isnull=True):
        if t.metric == Metric.BLOOD_UNITS and t.unit_id == where.pk:
            return int(t.value)
    return 0


def campaign_results(campaign: Any, parent: Any) -> dict[str, dict[str, int]]:
    """Blood units collected in a drive's sessions under ``parent``, per sub-unit path (the
    results provider campaigns' progress asks, see settings.NHANDAO_CAMPAIGN_RESULTS)."""
    if getattr(campaign, "kind", "") != "blood_drive":
        return {}
    from nhandao.campaigns.models import STEPLEN

    width = (parent.depth + 1) * STEPLEN
    rows = (
        BloodDonation.objects.filter(session__campaign=campaign, unit__path__startswith=parent.path)
        .values_list("unit__path")
        .annotate(n=Count("pk"))
    )
    out: dict[str, dict[str, int]] = {}
    for path, n in rows:
        key = path[:width]
        out.setdefault(key, {"blood_units": 0})["blood_units"] += int(n)
    return out
