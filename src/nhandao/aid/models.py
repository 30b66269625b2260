"""Aid delivered: partner organisations, distributions and their planned lists, one record per
recipient of what was given, and the vouchers of "Hội chợ - Tặng quà - Vui Tết" fairs
(AID-1, AID-2, AID-3, CMP-4).

Overlap is refused by the database: two partial unique constraints on ``AidRecord`` make a second
gift of the same kind to the same person (always) or household (campaigns whose rule is one per
household) in the same campaign impossible, whoever records it. An authorised second gift carries
a higher ``override_no`` and a reason. A mistaken record is voided (with a reason), never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.areas import ActivityArea
from nhandao.core.scoping import ScopedQuerySet


class PartnerKind(models.TextChoices):
    BUSINESS = "business", _("Doanh nghiệp")
    ORGANISATION = "organisation", _("Tổ chức xã hội, từ thiện")
    AGENCY = "agency", _("Cơ quan, đoàn thể")
    RELIGIOUS = "religious", _("Tổ chức tôn giáo")
    FOREIGN = "foreign", _("Tổ chức nước ngoài")
    OTHER = "other", _("Khác")


class Partner(models.Model):
    """An organisation or business that gives aid through the chapter (AID-3)."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị điều phối"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên tổ chức, doanh nghiệp"), max_length=255)
    kind = models.CharField(_("loại"), max_length=15, choices=PartnerKind.choices)
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    contact_name = models.CharField(_("người liên hệ"), max_length=150, blank=True)
    contact_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    is_active = models.BooleanField(_("đang phối hợp"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ chức, doanh nghiệp phối hợp")
        verbose_name_plural = _("tổ chức, doanh nghiệp phối hợp")

    def __str__(self) -> str:
        return self.name


class PartnerUser(models.Model):
    """A login that records aid on behalf of one partner, and sees only that partner's records."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="logins")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="aid_partner"
    )

    def __str__(self) -> str:
        return f"{self.user_id} → {self.partner_id}"


class AidKind(models.TextChoices):
    GIFT = "gift", _("Quà")
    CASH = "cash", _("Tiền mặt")
    GOODS = "goods", _("Hàng hóa, nhu yếu phẩm")
    VOUCHER = "voucher", _("Phiếu quà tặng")
    HOUSE = "house", _("Nhà nhân ái")
    LIVELIHOOD = "livelihood", _("Sinh kế")
    MEDICAL = "medical", _("Hỗ trợ y tế")


class Source(models.TextChoices):
    CAMPAIGN = "campaign", _("Nguồn vận động của phong trào")
    DONOR = "donor", _("Nhà tài trợ")
    PARTNER = "partner", _("Nguồn riêng của tổ chức phối hợp")


class Acknowledgement(models.TextChoices):
    NONE = "", _("Chưa có")
    SIGNED_LIST = "signed_list", _("Ký nhận trong danh sách")
    PHOTO = "photo", _("Ảnh trao quà")
    VOUCHER = "voucher", _("Phiếu đã sử dụng")


class DistributionStatus(models.TextChoices):
    PLANNED = "planned", _("Kế hoạch")
    DONE = "done", _("Đã trao")
    CANCELLED = "cancelled", pgettext_lazy("status", "Hủy")


class Distribution(models.Model):
    """A distribution event: where and when a unit (or a partner through it) gives aid."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("tổ chức phối hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    title = models.CharField(_("tên đợt trao"), max_length=255)
    held_on = models.DateField(_("ngày trao"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    kind = models.CharField(
        _("hình thức hỗ trợ"), max_length=12, choices=AidKind.choices, default=AidKind.GIFT
    )
    unit_value = models.BigIntegerField(_("giá trị mỗi suất (đồng)"), default=0)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=Source.choices, default=Source.CAMPAIGN
    )
    donor_name = models.CharField(_("nhà tài trợ"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DistributionStatus.choices,
        default=DistributionStatus.PLANNED,
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt trao")
        verbose_name_plural = _("đợt trao")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_value__gte=0), name="distribution_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlannedRecipient(models.Model):
    """A person on a distribution's planned list (the list printed for signatures)."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="planned")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.PositiveIntegerField(_("số thứ tự"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distribution", "person"], name="planned_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line}. {self.person_id}"


class AidRecordQuerySet(ScopedQuerySet["AidRecord"]):
    def live(self) -> AidRecordQuerySet:
        return self.filter(voided_at__isnull=True)


class AidRecord(models.Model):
    """What one recipient was given. ``unit`` is the unit owning the recipient's record (so the
    commune sees every gift its households got, whoever gave it); ``recorded_unit`` gave it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    distribution = models.ForeignKey(
        Distribution,
        verbose_name=_("đợt trao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị trao"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("tổ chức phối hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("người nhận"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    per_household = models.BooleanField(default=True)  # the campaign's rule when recorded
    kind = models.CharField(_("hình thức"), max_length=12, choices=AidKind.choices)
    area = models.CharField(_("lĩnh vực"), max_length=12, choices=ActivityArea.choices)
    value = models.BigIntegerField(_("giá trị (đồng)"))
    description = models.CharField(_("nội dung"), max_length=255, blank=True)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    donor_name = models.CharField(_("nhà tài trợ"), max_length=255, blank=True)
    given_on = models.DateField(_("ngày trao"))
    acknowledgement = models.CharField(
        _("xác nhận"), max_length=12, choices=Acknowledgement.choices, blank=True
    )
    photo = models.FileField(
        _("ảnh"),
        upload_to="aid/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    override_no = models.PositiveSmallIntegerField(default=0)
    override_reason = models.CharField(_("lý do trao thêm"), max_length=255, blank=True)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    void_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AidRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hỗ trợ đã trao")
        verbose_name_plural = _("hỗ trợ đã trao")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "person", "override_no"],
                condition=Q(voided_at__isnull=True),
                name="aid_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["campaign", "kind", "household", "override_no"],
                condition=Q(voided_at__isnull=True, per_household=True),
                name="aid_once_per_household",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="aid_value_not_negative"),
            models.CheckConstraint(
                condition=Q(override_no=0) | ~Q(override_reason=""),
                name="aid_override_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "household"], name="aid_campaign_household"),
            models.Index(fields=["campaign", "person"], name="aid_campaign_person"),
            models.Index(fields=["campaign", "unit"], name="aid_campaign_unit"),
            # The live gifts of a campaign under a province, read without the table (coverage in
            # campaigns/eligibility.py, results by sub-unit): PostgreSQL scans only this index.
            models.Index(
                fields=["campaign", "unit"],
                include=["person", "household", "value"],
                condition=Q(voided_at__isnull=True),
                name="aid_campaign_unit_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.person_id}"


class Fair(models.Model):
    """A "Hội chợ - Tặng quà - Vui Tết" fair: vouchers are issued for it and redeemed at stalls."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên hội chợ"), max_length=255)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    held_from = models.DateField(_("từ ngày"))
    held_to = models.DateField(_("đến ngày"))
    voucher_value = models.BigIntegerField(_("mệnh giá phiếu (đồng)"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hội chợ")
        verbose_name_plural = _("hội chợ")
        constraints = [
            models.CheckConstraint(
                condition=Q(voucher_value__gt=0), name="fair_voucher_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(held_to__gte=models.F("held_from")), name="fair_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stall(models.Model):
    fair = models.ForeignKey(Fair, on_delete=models.CASCADE, related_name="stalls")
    name = models.CharField(_("tên gian hàng"), max_length=150)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fair", "name"], name="stall_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Đã phát")
    REDEEMED = "redeemed", _("Đã sử dụng")
    VOID = "void", pgettext_lazy("voided", "Đã hủy")


class Voucher(models.Model):
    """One voucher: a short code (with a keyed check so codes cannot be guessed) and a QR code of
    it. Redemption is one conditional UPDATE, so two stalls scanning at once redeem it once."""

    fair = models.ForeignKey(Fair, on_delete=models.PROTECT, related_name="vouchers")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    aid_record = models.OneToOneField(AidRecord, on_delete=models.PROTECT, related_name="voucher")
    code = models.CharField(_("mã phiếu"), max_length=16, unique=True)
    value = models.BigIntegerField(_("mệnh giá (đồng)"))
    valid_from = models.DateField(_("có giá trị từ"))
    valid_until = models.DateField(_("có giá trị đến"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    redeemed_at = models.DateTimeField(_("sử dụng lúc"), null=True, blank=True)
    stall = models.ForeignKey(
        Stall, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu quà tặng")
        verbose_name_plural = _("phiếu quà tặng")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_positive"),
            models.CheckConstraint(
                condition=~Q(status="redeemed") | Q(redeemed_at__isnull=False, stall__isnull=False),
                name="voucher_redeemed_has_stall",
            ),
        ]

    def __str__(self) -> str:
        return self.code
