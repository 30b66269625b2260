"""One registry of natural persons and households. Beneficiaries, members, volunteers and blood
donors are roles of a Person (see DESIGN.md "Core model")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nhandao.core.scoping import ScopedQuerySet


class Sex(models.TextChoices):
    UNKNOWN = "", _("Chưa rõ")
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class BirthPrecision(models.TextChoices):
    DAY = "day", _("Ngày/tháng/năm")
    MONTH = "month", _("Tháng/năm")
    YEAR = "year", _("Chỉ năm")


class PovertyStatus(models.TextChoices):
    NONE = "", _("Không")
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")


class Household(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("mã hộ"), max_length=40, blank=True, db_index=True)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("chủ hộ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ward = models.ForeignKey(
        "geo.Ward",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address_detail = models.CharField(_("thôn, tổ, số nhà"), max_length=255, blank=True)
    poverty_status = models.CharField(
        _("hộ nghèo/cận nghèo"), max_length=20, choices=PovertyStatus.choices, blank=True
    )
    poverty_year = models.PositiveSmallIntegerField(_("năm xác định"), null=True, blank=True)
    poverty_standard = models.CharField(_("chuẩn nghèo áp dụng"), max_length=40, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")

    def __str__(self) -> str:
        head = self.head.full_name if self.head_id and self.head else ""
        return _("Hộ %(head)s") % {"head": head or self.code or self.pk}

    @property
    def address_display(self) -> str:
        ward = self.ward if self.ward_id else None
        return join_address(self.address_detail, ward.name if ward else "")


def join_address(*parts: str) -> str:
    """An address from its parts (house and hamlet, commune, province), the empty ones left out:
    never ", Xã Vĩnh Thủy" for a record with no hamlet."""
    return ", ".join(p for p in parts if p)


class PersonQuerySet(ScopedQuerySet["Person"]):
    def current(self) -> PersonQuerySet:
        return self.filter(merged_into__isnull=True)


class Person(models.Model):
    # ``unit``, ``ward`` and ``created_by`` are not checked by the database row by row: an import
    # writes hundreds of thousands of persons at once (ADR 8; ``manage.py check_references``
    # finds any reference left dangling).
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    family_name = models.CharField(_("họ"), max_length=50, blank=True)
    middle_name = models.CharField(_("tên đệm"), max_length=80, blank=True)
    given_name = models.CharField(_("tên"), max_length=50, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_precision = models.CharField(
        _("độ chính xác ngày sinh"), max_length=5, choices=BirthPrecision.choices, blank=True
    )
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices, blank=True)
    id_number = models.CharField(_("số CCCD/định danh"), max_length=12, blank=True)
    legacy_id = models.CharField(_("số CMND cũ"), max_length=12, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    ward = models.ForeignKey(
        "geo.Ward",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    address_detail = models.CharField(_("thôn, tổ, số nhà"), max_length=255, blank=True)
    address_original = models.CharField(
        _("địa chỉ như ghi trong danh sách"), max_length=500, blank=True
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("hộ gia đình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    source_ref = models.CharField(_("mã tham chiếu nguồn"), max_length=120, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # Keys for search, sorting and the instant duplicate check (computed by the services).
    name_key = models.CharField(max_length=150, editable=False, default="")
    sort_key = models.CharField(max_length=500, editable=False, default="")
    key_name_year = models.CharField(max_length=160, editable=False, default="")
    key_given_ward = models.CharField(max_length=80, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhân khẩu")
        verbose_name_plural = _("nhân khẩu")
        # Plain b-tree indexes, declared here rather than with db_index: on PostgreSQL db_index
        # adds a second "_like" index per text column for LIKE 'prefix%', which no query of these
        # columns uses (equality, ORDER BY, or a LIKE '%…%' no b-tree serves), and every index
        # costs each bulk insert (8 indexes fewer on the registry's largest table). Name searches
        # (``name_key__contains``) use the GIN trigram index ``person_name_trgm`` that migration
        # 0004 creates on PostgreSQL only.
        indexes = [
            models.Index(fields=["id_number"], name="person_id_number"),
            models.Index(fields=["legacy_id"], name="person_legacy_id"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["source_ref"], name="person_source_ref"),
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["sort_key"], name="person_sort_key"),
            models.Index(fields=["key_name_year"], name="person_key_name_year"),
            models.Index(fields=["key_given_ward"], name="person_key_given_ward"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def address_display(self) -> str:
        """House or hamlet and commune."""
        ward = self.ward if self.ward_id else None
        return join_address(self.address_detail, ward.name if ward else "")

    @property
    def full_address(self) -> str:
        """House or hamlet, commune and province."""
        ward = self.ward if self.ward_id else None
        return join_address(
            self.address_detail, ward.name if ward else "", ward.province.name if ward else ""
        )

    @property
    def birth_display(self) -> str:
        if self.birth_date is None:
            return ""
        if self.birth_precision == BirthPrecision.YEAR:
            return f"{self.birth_date.year}"
        if self.birth_precision == BirthPrecision.MONTH:
            return f"{self.birth_date:%m/%Y}"
        return f"{self.birth_date:%d/%m/%Y}"
