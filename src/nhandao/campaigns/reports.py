"""What a campaign page, its report and its exports show, gathered once: targets against results by
sub-unit and by group, sources, good examples, coverage and the chart series.

Every function takes a campaign from a scoped getter and a unit already checked by the view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from nhandao.core.dates import format_date

from . import selectors
from .models import Campaign, Metric


@dataclass
class Cell:
    target: int | None
    result: int
    metric: str = ""

    @property
    def is_money(self) -> bool:
        return self.metric == Metric.VALUE

    @property
    def percent(self) -> float | None:
        return 100.0 * self.result / self.target if self.target else None


@dataclass
class Line:
    unit: Any
    own: bool
    cells: list[Cell]


@dataclass
class GroupLine:
    code: str
    name: str
    target: int | None
    gifts: int
    value: int
    households: int


@dataclass
class SourceLine:
    code: str
    label: str
    gifts: int
    value: int


@dataclass
class CampaignReport:
    campaign: Campaign
    unit: Any
    metrics: list[str]
    lines: list[Line]
    groups: list[GroupLine]
    sources: list[SourceLine]
    examples: list[Any]
    coverage: selectors.Coverage
    days: list[tuple[Any, int, int]] = field(default_factory=list)

    @property
    def metric_labels(self) -> list[str]:
        return [str(Metric(m).label) for m in self.metrics]

    @property
    def total(self) -> Line | None:
        return next((line for line in self.lines if line.own), None)

    def result(self, metric: str) -> int:
        line = self.total
        if line is None or metric not in self.metrics:
            return 0
        return line.cells[self.metrics.index(metric)].result


def _lines(rows: list[selectors.ProgressRow]) -> tuple[list[str], list[Line]]:
    metrics: list[str] = []
    by_unit: dict[Any, Line] = {}
    for row in rows:
        if row.metric not in metrics:
            metrics.append(row.metric)
    for row in rows:
        line = by_unit.get(row.unit.pk)
        if line is None:
            line = Line(row.unit, row.own, [Cell(None, 0, m) for m in metrics])
            by_unit[row.unit.pk] = line
        line.cells[metrics.index(row.metric)] = Cell(row.target, row.result, row.metric)
    lines = sorted(by_unit.values(), key=lambda ln: (not ln.own, ln.unit.sort_key, ln.unit.path))
    return metrics, lines


def _group_lines(campaign: Campaign, unit: Any) -> list[GroupLine]:
    from nhandao.beneficiaries.selectors import group_list

    names = {g.code: g.name for g in group_list()}
    results = selectors.results_by_group(campaign=campaign, unit=unit)
    targets = {
        t.group_id: t.value
        for t in selectors.target_list(campaign=campaign, unit=unit).filter(
            unit=unit, metric=Metric.GIFTS, group__isnull=False
        )
    }
    codes = list(campaign.groups.values_list("code", flat=True))
    codes += [c for c in list(results) + list(targets) if c not in codes]
    lines = []
    for code in codes:
        got = results.get(code, {})
        lines.append(
            GroupLine(
                code,
                names.get(code, code),
                targets.get(code),
                got.get(Metric.GIFTS, 0),
                got.get(Metric.VALUE, 0),
                got.get(Metric.HOUSEHOLDS, 0),
            )
        )
    return lines


def _source_lines(campaign: Campaign, unit: Any) -> list[SourceLine]:
    from nhandao.aid.models import Source

    labels = dict(Source.choices)
    got = selectors.results_by_source(campaign=campaign, unit=unit)
    return [
        SourceLine(code, str(labels.get(code, code)), v[Metric.GIFTS], v[Metric.VALUE])
        for code, v in got.items()
    ]


def _with_idle_children(
    campaign: Campaign, unit: Any, metrics: list[str], lines: list[Line]
) -> list[Line]:
    """Every active sub-unit gets a line, those with neither target nor result too (the laggards
    a province must see)."""
    if not metrics:
        return lines
    shown = {line.unit.pk for line in lines}
    for child in selectors.child_units(campaign=campaign, unit=unit):
        if child.pk not in shown:
            lines.append(Line(child, False, [Cell(None, 0, m) for m in metrics]))
    return sorted(lines, key=lambda ln: (not ln.own, ln.unit.sort_key, ln.unit.path))


def campaign_report(*, campaign: Campaign, unit: Any, days: bool = False) -> CampaignReport:
    metrics, lines = _lines(selectors.progress(campaign=campaign, unit=unit))
    lines = _with_idle_children(campaign, unit, metrics, lines)
    return CampaignReport(
        campaign=campaign,
        unit=unit,
        metrics=metrics,
        lines=lines,
        groups=_group_lines(campaign, unit),
        sources=_source_lines(campaign, unit),
        examples=list(selectors.example_list(campaign=campaign, unit=unit)),
        coverage=selectors.coverage(campaign=campaign, unit=unit),
        days=selectors.gifts_per_day(campaign=campaign, unit=unit) if days else [],
    )


def _short(name: str) -> str:
    """A sub-unit's name on a chart axis, without the words every unit shares."""
    return name.removeprefix("Hội Chữ thập đỏ ").removeprefix("Hội CTĐ ")


def chart_data(report: CampaignReport) -> dict[str, Any]:
    """The series the page's charts draw (read by static/campaigns/charts.js from json_script)."""
    children = [line for line in report.lines if not line.own]
    gifts = report.metrics.index(Metric.GIFTS) if Metric.GIFTS in report.metrics else None
    running = 0
    cumulative = []
    for _day, count, _value in report.days:
        running += count
        cumulative.append(running)
    return {
        "units": {
            "labels": [_short(line.unit.name) for line in children],
            "target": [
                line.cells[gifts].target or 0 if gifts is not None else 0 for line in children
            ],
            "result": [line.cells[gifts].result if gifts is not None else 0 for line in children],
        },
        "groups": {
            "labels": [g.name for g in report.groups],
            "result": [g.gifts for g in report.groups],
        },
        "days": {
            "labels": [format_date(day) for day, _c, _v in report.days],
            "result": [count for _d, count, _v in report.days],
            "cumulative": cumulative,
        },
        "text": {
            "target": _("Chỉ tiêu (suất)"),
            "result": _("Đã trao (suất)"),
            "cumulative": _("Cộng dồn"),
        },
    }


def table_rows(report: CampaignReport) -> Iterator[list[Any]]:
    """Rows of the "targets against results by sub-unit" table: name, then per metric the
    target, the result and the percent (None where no target was set)."""
    for line in report.lines:
        row: list[Any] = [line.unit.name if not line.own else _("Toàn đơn vị")]
        for cell in line.cells:
            pct = round(cell.percent) if cell.percent is not None else None
            row += [cell.target, cell.result, pct]
        yield row
