"""Training (ORG-4): yearly plans per unit, courses with their participants (members, volunteers,
youth, staff — any Person), attendance, results and numbered certificates, some of which expire
(first aid)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nhandao.core.scoping import ScopedQuerySet


class Topic(models.TextChoices):
    CHAPTER_SKILLS = "chapter_skills", _("Kỹ năng công tác Hội")
    FIRST_AID = "first_aid", _("Sơ cấp cứu")
    DISASTER = "disaster", _("Ứng phó thảm họa")
    RESOURCES = "resources", _("Vận động nguồn lực")
    POLICY = "policy", _("Chính sách, pháp luật")
    OTHER = "other", _("Khác")


class TrainingPlan(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=255)
    note = models.TextField(_("nội dung"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch tập huấn")
        verbose_name_plural = _("kế hoạch tập huấn")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "title"], name="training_plan_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class Course(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        TrainingPlan,
        verbose_name=_("thuộc kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
    )
    topic = models.CharField(_("chủ đề"), max_length=16, choices=Topic.choices)
    title = models.CharField(_("tên lớp"), max_length=255)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    trainers = models.CharField(_("giảng viên"), max_length=255, blank=True)
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("chứng nhận có giá trị (tháng, 0 = không hết hạn)"), default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp tập huấn")
        verbose_name_plural = _("lớp tập huấn")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="course_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Result(models.TextChoices):
    NONE = "", _("Chưa đánh giá")
    PASSED = "passed", _("Đạt")
    FAILED = "failed", _("Không đạt")


class Participant(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    attended_days = models.PositiveSmallIntegerField(_("số buổi tham dự"), default=0)
    result = models.CharField(_("kết quả"), max_length=6, choices=Result.choices, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=4, decimal_places=1, null=True, blank=True)
    certificate_no = models.CharField(_("số chứng nhận"), max_length=40, blank=True)
    certificate_issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    certificate_expires_on = models.DateField(_("hết hạn"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("học viên")
        verbose_name_plural = _("học viên")
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="participant_once"),
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~Q(certificate_no=""),
                name="certificate_number_once",
            ),
        ]
        indexes = [
            models.Index(fields=["certificate_expires_on"], name="certificate_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.person_id}"
