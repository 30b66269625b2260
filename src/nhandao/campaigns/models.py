"""Campaigns (phong trào, cuộc vận động) with their targets, their frozen eligible list and the good
examples they bring out (CMP-1, CMP-2, CMP-3, CMP-5).

A campaign belongs to the unit that launched it and cascades down its subtree: the units below see
it on their dashboard, record against it and get targets in it. Visibility therefore runs both
ways along the tree (see ``CampaignQuerySet.visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nhandao.core.areas import ActivityArea
from nhandao.core.scoping import ScopedQuerySet, path_filter, scope_paths

STEPLEN = 4  # orgs.Unit.steplen: a unit's ancestors are the prefixes of its path of this step


class CampaignKind(models.TextChoices):
    TET = "tet", _("Tết Nhân ái")
    HUMANITARIAN_MONTH = "humanitarian_month", _("Tháng Nhân đạo")
    GOOD_DEEDS = "good_deeds", _("Người tốt, việc thiện")
    MILLION_STEPS = "million_steps", _("Triệu bước chân nhân ái")
    BLOOD_DRIVE = "blood_drive", _("Vận động hiến máu")
    RELIEF_APPEAL = "relief_appeal", _("Vận động cứu trợ")
    CUSTOM = "custom", _("Khác")


class GiftRule(models.TextChoices):
    HOUSEHOLD = "household", _("Mỗi hộ một suất")
    PERSON = "person", _("Mỗi người một suất")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chuẩn bị")
    LAUNCHED = "launched", _("Đã phát động")
    CLOSED = "closed", _("Đã kết thúc")


class Metric(models.TextChoices):
    GIFTS = "gifts", _("Số suất quà")
    VALUE = "value", _("Giá trị (đồng)")
    HOUSEHOLDS = "households", _("Số hộ được hỗ trợ")
    PEOPLE = "people", _("Số người được hỗ trợ")
    PROGRAMMES = "programmes", _("Số chương trình")
    BLOOD_UNITS = "blood_units", _("Số đơn vị máu")


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of every unit above it."""
    return [path[:end] for end in range(STEPLEN, len(path) + 1, STEPLEN)]


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        """Campaigns launched inside the user's scope, and those launched above it, which
        cascade down to the user's units."""
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        if not paths:
            return self.none()
        above = sorted({a for p in paths for a in ancestor_paths(p)})
        return self.filter(path_filter("unit__path", paths) | Q(unit__path__in=above))

    def owned_within(self, user: Any) -> CampaignQuerySet:
        """Only the campaigns the user's own subtree launched (what the user may change)."""
        return ScopedQuerySet.visible_to(self, user)  # type: ignore[return-value]


class Campaign(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị phát động"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=CampaignKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    theme = models.CharField(_("chủ đề"), max_length=255, blank=True)
    area = models.CharField(_("lĩnh vực hoạt động"), max_length=12, choices=ActivityArea.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    lunar_year = models.PositiveSmallIntegerField(_("năm âm lịch"), null=True, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    peak_from = models.DateField(_("cao điểm từ"), null=True, blank=True)
    peak_to = models.DateField(_("cao điểm đến"), null=True, blank=True)
    groups: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "beneficiaries.BeneficiaryGroup", verbose_name=_("đối tượng"), related_name="+", blank=True
    )
    gift_rule = models.CharField(
        _("quy tắc trao"), max_length=10, choices=GiftRule.choices, default=GiftRule.HOUSEHOLD
    )
    min_gift_value = models.BigIntegerField(_("giá trị tối thiểu mỗi suất (đồng)"), default=0)
    description = models.TextField(_("mô tả"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    launched_at = models.DateTimeField(_("phát động lúc"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("chốt danh sách lúc"), null=True, blank=True)
    # The freeze runs as a background job, one part of the tree at a time (resumable): when it
    # started, parts done of parts in all, and the error that stopped it, if any.
    freeze_started_at = models.DateTimeField(null=True, blank=True)
    freeze_done = models.PositiveIntegerField(default=0)
    freeze_total = models.PositiveIntegerField(default=0)
    freeze_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("phong trào, cuộc vận động")
        verbose_name_plural = _("phong trào, cuộc vận động")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order"
            ),
            models.CheckConstraint(
                condition=Q(min_gift_value__gte=0), name="campaign_min_gift_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_freezing(self) -> bool:
        """The freeze job has started and not finished (running, or stopped by an error)."""
        return self.freeze_started_at is not None and self.frozen_at is None

    @property
    def freeze_percent(self) -> int:
        return 100 * self.freeze_done // self.freeze_total if self.freeze_total else 0


class Target(models.Model):
    """A target (chỉ tiêu) of one unit in a campaign, for one metric and optionally one group."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "beneficiaries.BeneficiaryGroup",
        verbose_name=_("đối tượng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    metric = models.CharField(_("chỉ tiêu"), max_length=12, choices=Metric.choices)
    value = models.BigIntegerField(_("mức"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "group", "metric"],
                name="campaign_target_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="campaign_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value}"


class EligibleEntry(models.Model):
    """One household (or person, by the campaign's rule) on a campaign's frozen eligible list.

    ``unit`` is the unit that owns the beneficiary record (the commune branch that works the
    list down to zero). Entries added after the freeze say so."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="eligible")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    after_freeze = models.BooleanField(_("bổ sung sau khi chốt"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đối tượng trong danh sách")
        verbose_name_plural = _("danh sách đối tượng đã chốt")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="eligible_person_once"),
        ]
        indexes = [
            # Covering: a province's part of a frozen list is read from the index alone.
            models.Index(
                fields=["campaign", "unit"],
                include=["household", "person"],
                name="eligible_campaign_unit_cover",
            ),
            models.Index(fields=["campaign", "household"], name="eligible_campaign_household"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.person_id}"


class GoodExample(models.Model):
    """A good model or example (gương điển hình) the campaign brought out (CMP-5)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="examples")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tên gương, mô hình"), max_length=255)
    who = models.CharField(_("tập thể, cá nhân"), max_length=255, blank=True)
    description = models.TextField(_("nội dung"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gương điển hình")
        verbose_name_plural = _("gương điển hình")

    def __str__(self) -> str:
        return self.title


class CoverageSummary(models.Model):
    """A campaign's counts per unit, kept by one set-based refresh (``summary.py``) so that the
    nation's and a province's pages sum a few thousand rows instead of millions.

    A row with ``group`` empty holds the unit's own eligible and covered counts and the results
    of its own aid records (not its subtree's); a row per beneficiary group holds the results of
    the records whose recipient is in that group."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=50, blank=True, default="")
    eligible = models.BigIntegerField(default=0)
    covered = models.BigIntegerField(default=0)
    gifts = models.BigIntegerField(default=0)
    value = models.BigIntegerField(default=0)
    households = models.BigIntegerField(default=0)
    people = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu tổng hợp của phong trào")
        verbose_name_plural = _("số liệu tổng hợp của phong trào")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "group"], name="coverage_summary_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}/{self.group}"
