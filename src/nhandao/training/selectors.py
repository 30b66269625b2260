"""Every read of training, through the user's scope: plans, courses, participants, who is trained
in what (per person, and per unit by topic and year) and certificates that expire soon."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from nhandao.core.scoping import get_visible_or_404

from .models import Course, Participant, Result, Topic, TrainingPlan


def plan_list(*, user: Any, unit: Any, year: int | None = None) -> QuerySet[TrainingPlan]:
    qs = TrainingPlan.objects.visible_to(user).filter(unit__path__startswith=unit.path)
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("unit").annotate(n_courses=Count("courses")).order_by("-year", "pk")


def plan_get(*, user: Any, pk: Any) -> TrainingPlan:
    return get_visible_or_404(TrainingPlan.objects.select_related("unit"), user, pk=pk)


@dataclass
class CourseFilters:
    unit: Any = None
    year: int | None = None
    topic: str = ""
    query: str = ""


def course_list(*, user: Any, filters: CourseFilters | None = None) -> QuerySet[Course]:
    f = filters or CourseFilters()
    qs = Course.objects.visible_to(user)
    if f.unit is not None:
        qs = qs.filter(unit__path__startswith=f.unit.path)
    if f.year:
        qs = qs.filter(starts_on__year=f.year)
    if f.topic:
        qs = qs.filter(topic=f.topic)
    if f.query:
        qs = qs.filter(Q(title__icontains=f.query) | Q(place__icontains=f.query))
    counts = Count("participants", distinct=True)
    passed = Count("participants", filter=Q(participants__result=Result.PASSED), distinct=True)
    return (
        qs.select_related("unit", "plan")
        .annotate(n_participants=counts, n_passed=passed)
        .order_by("-starts_on", "-pk")
    )


def course_get(*, user: Any, pk: Any) -> Course:
    return get_visible_or_404(Course.objects.select_related("unit", "plan"), user, pk=pk)


def course_participants(*, course: Course) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(course=course)
        .select_related("person", "person__unit")
        .order_by("person__sort_key", "pk")
    )


def participant_get(*, user: Any, pk: Any) -> Participant:
    qs = Participant.objects.select_related("course", "course__unit", "person", "unit")
    return get_visible_or_404(qs, user, pk=pk)


def certificate_find(*, user: Any, number: str) -> Participant | None:
    """A certificate by its number, in the user's scope (the verification page of the QR)."""
    number = " ".join(number.split())
    if not number:
        return None
    return (
        Participant.objects.visible_to(user)
        .filter(certificate_no=number)
        .select_related("course", "course__unit", "person")
        .first()
    )


def certificate_list(*, user: Any, unit: Any = None, query: str = "") -> QuerySet[Participant]:
    qs = Participant.objects.visible_to(user).exclude(certificate_no="")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if query:
        qs = qs.filter(Q(certificate_no__icontains=query) | Q(person__full_name__icontains=query))
    return qs.select_related("course", "person", "unit").order_by("-certificate_issued_on", "-pk")


def person_training(*, person: Any) -> list[Participant]:
    """Every course of a person (already fetched through the user's scope) with its result and
    certificate, newest first: what this person is trained in."""
    return list(
        Participant.objects.filter(person=person)
        .select_related("course", "course__unit")
        .order_by("-course__starts_on", "-pk")
    )


@dataclass
class TopicYear:
    topic: str
    label: str
    counts: dict[int, tuple[int, int, int]]  # year → (participants, passed, certificates)


def unit_topic_counts(*, user: Any, unit: Any, years: list[int]) -> list[TopicYear]:
    """Per topic and year, in the unit's subtree: participants, passed, certificates issued."""
    rows = (
        Participant.objects.visible_to(user)
        .filter(unit__path__startswith=unit.path, course__starts_on__year__in=years)
        .annotate(year=ExtractYear("course__starts_on"))
        .values("course__topic", "year")
        .annotate(
            n=Count("pk"),
            passed=Count("pk", filter=Q(result=Result.PASSED)),
            certified=Count("pk", filter=~Q(certificate_no="")),
        )
    )
    found: dict[str, dict[int, tuple[int, int, int]]] = {}
    for row in rows:
        found.setdefault(row["course__topic"], {})[row["year"]] = (
            row["n"],
            row["passed"],
            row["certified"],
        )
    return [
        TopicYear(topic=value, label=str(label), counts=found.get(value, {}))
        for value, label in Topic.choices
    ]


def expiring_list(
    *, user: Any, unit: Any, today: dt.date, days: int, topic: str = Topic.FIRST_AID
) -> QuerySet[Participant]:
    """Certificates (first aid unless told) that expire from today to ``days`` days later."""
    qs = Participant.objects.visible_to(user).filter(
        unit__path__startswith=unit.path,
        certificate_expires_on__gte=today,
        certificate_expires_on__lte=today + dt.timedelta(days=days),
    )
    if topic:
        qs = qs.filter(course__topic=topic)
    return qs.select_related("course", "person", "unit").order_by(
        "certificate_expires_on", "person__sort_key", "pk"
    )
