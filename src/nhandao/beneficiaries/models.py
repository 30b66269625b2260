"""Humanitarian addresses (địa chỉ nhân đạo): persons in difficulty with their groups,
circumstances, verification by the local chapter, consent to publication, status (BEN-1, BEN-6)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nhandao.core.scoping import ScopedQuerySet


class BeneficiaryGroup(models.Model):
    """A beneficiary group named by the sources; ``sensitive`` groups reveal health data."""

    code = models.SlugField(_("mã"), max_length=30, primary_key=True)
    name = models.CharField(_("tên"), max_length=120)
    sensitive = models.BooleanField(_("dữ liệu nhạy cảm"), default=False)
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("đối tượng")
        verbose_name_plural = _("đối tượng")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang hỗ trợ")
    INELIGIBLE = "ineligible", _("Không còn thuộc diện")
    MOVED = "moved", _("Đã chuyển đi")
    DECEASED = "deceased", _("Đã mất")


class Verification(models.TextChoices):
    PENDING = "pending", _("Chưa xác minh")
    VERIFIED = "verified", _("Đã xác minh")
    REJECTED = "rejected", _("Không đúng thực tế")


class BeneficiaryQuerySet(ScopedQuerySet["Beneficiary"]):
    pass


class Beneficiary(models.Model):
    # ``person`` and ``unit`` are not checked by the database row by row (ADR 8): the import
    # writes a profile per new person in the same statement set as the person.
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("người"),
        on_delete=models.PROTECT,
        related_name="beneficiary",
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    groups: models.ManyToManyField[BeneficiaryGroup, GroupMembership] = models.ManyToManyField(
        BeneficiaryGroup,
        through="GroupMembership",
        verbose_name=_("đối tượng"),
        related_name="beneficiaries",
    )
    circumstances = models.TextField(_("hoàn cảnh"), blank=True)  # sensitive
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    verification = models.CharField(
        _("xác minh"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("ngày xác minh"), null=True, blank=True)
    photo = models.FileField(
        _("ảnh"),
        upload_to="beneficiaries/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa chỉ nhân đạo")
        verbose_name_plural = _("địa chỉ nhân đạo")
        # Plain b-trees (``db_index`` would add a second "_like" index per column on PostgreSQL,
        # which no query uses; see people.Person).
        indexes = [
            models.Index(fields=["status"], name="beneficiary_status"),
            models.Index(fields=["verification"], name="beneficiary_verification"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class GroupMembership(models.Model):
    # Written by the import a row per group of each new profile: neither reference is checked
    # by the database row by row (ADR 8). The unique (beneficiary, group) index serves look-ups
    # by beneficiary; ``membership_group`` those by group.
    beneficiary = models.ForeignKey(
        Beneficiary,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,
        db_constraint=False,
    )
    group = models.ForeignKey(
        BeneficiaryGroup,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    standard = models.CharField(_("chuẩn áp dụng"), max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group"], name="membership_group")]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "group"], name="beneficiaries_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.year or ''}".strip()


class Consent(models.Model):
    """Consent to publication, explicit and per purpose; withdrawal is recorded, never deleted."""

    class Method(models.TextChoices):
        PAPER = "paper", _("Ký giấy")
        ORAL = "oral", _("Đồng ý bằng lời, có người chứng kiến")
        ELECTRONIC = "electronic", _("Điện tử")

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=255)
    given_on = models.DateField(_("ngày đồng ý"))
    method = models.CharField(_("hình thức"), max_length=12, choices=Method.choices)
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đồng ý công khai")
        verbose_name_plural = _("đồng ý công khai")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_on:%d/%m/%Y})"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None
