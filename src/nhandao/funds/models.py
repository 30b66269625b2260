"""Donors, pledges, donations and their receipts; funds and appeals with their bank accounts; the
append-only ledger (entries into pockets); bank statements; sponsorships of humanitarian addresses
(RES-1 to RES-6, BEN-4).

Money is whole VND in ``BigIntegerField``. A ``Pocket`` is where money sits: one fund, at one unit,
money or goods, under one earmark. Its ``balance`` is kept equal to the sum of its entries by
``ledger.py``, the only code that writes entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from nhandao.core.errors import ApplicationError
from nhandao.core.scoping import ScopedQuerySet

# --- configurable rules ----------------------------------------------------------------------


class FundRules(models.Model):
    """Decree 93/2021 windows and warning lead times as data; the row in force on a day is the
    latest with ``valid_from`` on or before it (rules.md: configurable)."""

    valid_from = models.DateField(_("áp dụng từ"), unique=True)
    receiving_days = models.PositiveSmallIntegerField(
        _("số ngày tiếp nhận tối đa kể từ ngày phát động"), default=90
    )
    distribution_days = models.PositiveSmallIntegerField(
        _("số ngày phân phối tối đa sau khi hết hạn tiếp nhận"), default=20
    )
    warn_days = models.PositiveSmallIntegerField(_("cảnh báo trước (ngày)"), default=10)
    match_days = models.PositiveSmallIntegerField(
        _("sai lệch ngày tối đa khi khớp sao kê"), default=3
    )

    class Meta:
        verbose_name = _("quy định về quỹ và vận động")
        verbose_name_plural = _("quy định về quỹ và vận động")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from:%d/%m/%Y}"


# --- donors ----------------------------------------------------------------------------------


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    ORGANISATION = "organisation", _("Cơ quan, tổ chức")
    BUSINESS = "business", _("Doanh nghiệp")
    FOREIGN = "foreign", _("Đối tác nước ngoài")
    ANONYMOUS = "anonymous", _("Nhà hảo tâm ẩn danh")


class DonorQuerySet(ScopedQuerySet["Donor"]):
    def active(self) -> DonorQuerySet:
        return self.filter(merged_into__isnull=True)


class Donor(models.Model):
    """A donor (nhà hảo tâm, đơn vị tài trợ), kept by the unit that recorded it."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=DonorKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    name_key = models.CharField(max_length=255, db_index=True, editable=False)  # folded, for search
    sort_key = models.CharField(max_length=255, editable=False)  # Vietnamese collation
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True, db_index=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)  # masked
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    country = models.CharField(_("quốc gia"), max_length=100, blank=True)
    # Whether the donor's name may appear on the public pages; otherwise "Nhà hảo tâm".
    public_name = models.BooleanField(_("đồng ý công khai tên"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DonorQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhà hảo tâm")
        verbose_name_plural = _("nhà hảo tâm")
        ordering = ["sort_key", "id"]
        indexes = [models.Index(fields=["unit", "sort_key"], name="funds_donor_unit_sort_idx")]

    def __str__(self) -> str:
        return self.name


class DonorContact(models.Model):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("người liên hệ"), max_length=150)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("người liên hệ")
        verbose_name_plural = _("người liên hệ")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DonorPairDecision(models.Model):
    """A reviewed pair of donor records found alike: merged, or kept apart for good."""

    first = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField(_("cùng một nhà hảo tâm"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định về cặp nhà hảo tâm giống nhau")
        verbose_name_plural = _("quyết định về cặp nhà hảo tâm giống nhau")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="funds_donor_pair_once")
        ]

    def __str__(self) -> str:
        return f"{self.first_id}-{self.second_id}: {self.same}"


# --- funds and appeals -----------------------------------------------------------------------


class FundKind(models.TextChoices):
    ACTIVITY = "activity", _("Quỹ hoạt động chữ thập đỏ")
    APPEAL = "appeal", _("Cuộc vận động, quyên góp")


class FundStatus(models.TextChoices):
    OPEN = "open", _("Đang tiếp nhận")
    CLOSED = "closed", _("Đã kết thúc")


class Fund(models.Model):
    """A fund held by a unit: its Red Cross Activity Fund (one per unit), or an appeal (Decree
    93/2021) with its own bank account, receiving window and distribution deadline."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại quỹ"), max_length=10, choices=FundKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    # Short ASCII code: the start of transfer notes and of VietQR references (e.g. "LULU2026").
    code = models.CharField(_("mã"), max_length=16, unique=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào, cuộc vận động"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.TextField(_("mục đích, đối tượng, phạm vi vận động"), blank=True)
    bank_name = models.CharField(_("ngân hàng / Kho bạc"), max_length=120, blank=True)
    bank_bin = models.CharField(_("mã BIN ngân hàng"), max_length=6, blank=True)
    account_no = models.CharField(_("số tài khoản"), max_length=30, blank=True)
    account_name = models.CharField(_("tên tài khoản"), max_length=255, blank=True)
    opens_on = models.DateField(_("ngày phát động"))
    receiving_ends_on = models.DateField(_("hạn tiếp nhận"), null=True, blank=True)
    distribution_ends_on = models.DateField(_("hạn phân phối"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=FundStatus.choices, default=FundStatus.OPEN
    )
    is_public = models.BooleanField(_("công khai trên trang công khai"), default=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Running figures for the public pages (kept by ledger.py with the entries they sum).
    donations_count = models.PositiveIntegerField(default=0, editable=False)
    received_money = models.BigIntegerField(default=0, editable=False)
    received_goods = models.BigIntegerField(default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quỹ")
        verbose_name_plural = _("quỹ")
        ordering = ["-opens_on", "-id"]
        constraints = [
            # One account per appeal, never reused by another fund (Decree 93/2021).
            models.UniqueConstraint(
                fields=["bank_bin", "account_no"],
                condition=~Q(account_no=""),
                name="funds_account_used_once",
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(kind="activity"), name="funds_one_activity_fund"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundExtension(models.Model):
    """A recorded decision extending an appeal's receiving window."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="extensions")
    decision_no = models.CharField(_("số quyết định"), max_length=60)
    decided_on = models.DateField(_("ngày quyết định"))
    receiving_ends_on = models.DateField(_("hạn tiếp nhận mới"))
    distribution_ends_on = models.DateField(_("hạn phân phối mới"))
    reason = models.CharField(_("lý do"), max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gia hạn tiếp nhận")
        verbose_name_plural = _("gia hạn tiếp nhận")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return self.decision_no


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Quyết định, kế hoạch vận động")
    NOTICE = "notice", _("Thông báo, lời kêu gọi")
    REPORT = "report", _("Báo cáo tiếp nhận, phân phối")
    MINUTES = "minutes", _("Biên bản")
    OTHER = "other", _("Khác")


class FundDocument(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("loại văn bản"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("tên văn bản"), max_length=255)
    file = models.FileField(_("tệp"), upload_to="funds/documents/%Y/")
    is_public = models.BooleanField(_("công khai"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản của quỹ")
        verbose_name_plural = _("văn bản của quỹ")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


# --- earmarks and pockets --------------------------------------------------------------------


class EarmarkKind(models.TextChoices):
    NONE = "", _("Không chỉ định")
    CAMPAIGN = "campaign", _("Cho một phong trào, cuộc vận động")
    AREA = "area", _("Cho một địa bàn")
    BENEFICIARY = "beneficiary", _("Cho một địa chỉ nhân đạo")


class Earmarked(models.Model):
    """The earmark fields shared by donations, pledges and pockets."""

    earmark_kind = models.CharField(
        _("chỉ định"), max_length=12, choices=EarmarkKind.choices, default="", blank=True
    )
    earmark_campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào được chỉ định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earmark_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("địa bàn được chỉ định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earmark_beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("địa chỉ nhân đạo được chỉ định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def earmark_key(self) -> str:
        """ "" unrestricted, "c:<id>", "a:<id>", "b:<id>": one key per earmark."""
        return earmark_key(
            self.earmark_kind,
            self.earmark_campaign_id,
            self.earmark_unit_id,
            self.earmark_beneficiary_id,
        )


def earmark_key(kind: str, campaign_id: Any, unit_id: Any, beneficiary_id: Any) -> str:
    if not kind:
        return ""
    target = {"campaign": campaign_id, "area": unit_id, "beneficiary": beneficiary_id}[kind]
    if not target:
        raise ApplicationError(str(_("Chưa chọn nơi được chỉ định.")), field="earmark_kind")
    return f"{kind[0]}:{target}"


class Pocket(Earmarked):
    """Where money (or goods, valued in VND) sits: one fund, at one unit, under one earmark."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="pockets")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    goods = models.BooleanField(_("hiện vật"), default=False)
    key = models.CharField(max_length=24, default="", blank=True)  # the earmark key
    balance = models.BigIntegerField(_("số dư"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("số dư theo chỉ định")
        verbose_name_plural = _("số dư theo chỉ định")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "unit", "goods", "key"], name="funds_pocket_once"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="funds_pocket_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id}/{self.unit_id}/{self.key or '-'}"


# --- the ledger ------------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    # A context: Django's own Vietnamese catalogue has "Thu" (Thursday) → "Thứ 5".
    RECEIPT = "receipt", pgettext_lazy("ledger entry kind", "Thu")
    ALLOCATION_OUT = "allocation_out", _("Phân bổ cho đơn vị khác")
    ALLOCATION_IN = "allocation_in", _("Nhận phân bổ")
    TRANSFER_OUT = "transfer_out", _("Chuyển sang quỹ khác")
    TRANSFER_IN = "transfer_in", _("Nhận từ quỹ khác")
    DISBURSEMENT = "disbursement", _("Chi")
    REVERSAL = "reversal", _("Bút toán đảo")


class AppendOnlyError(ApplicationError):
    pass


class EntryQuerySet(ScopedQuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(str(_("Sổ quỹ chỉ được ghi thêm, không được sửa.")))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(str(_("Sổ quỹ chỉ được ghi thêm, không được xóa.")))


class Entry(models.Model):
    """One line of the ledger, never changed and never deleted (a database trigger refuses it
    too); a correction is a reversing entry. ``amount`` is signed: into the pocket is positive."""

    pocket = models.ForeignKey(Pocket, on_delete=models.PROTECT, related_name="entries")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=16, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    posted_on = models.DateField(_("ngày"))
    description = models.CharField(_("nội dung"), max_length=255, blank=True)
    donation = models.ForeignKey(
        "Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    distribution = models.ForeignKey(
        "aid.Distribution",
        verbose_name=_("đợt trao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The aid records a disbursement paid for.
    aid_records = models.ManyToManyField("aid.AidRecord", blank=True, related_name="+")
    # The other half of an allocation or a transfer.
    counterpart = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bút toán sổ quỹ")
        verbose_name_plural = _("sổ quỹ")
        ordering = ["posted_on", "id"]
        indexes = [
            models.Index(fields=["fund", "posted_on"], name="funds_entry_fund_day_idx"),
            models.Index(fields=["unit", "fund", "posted_on"], name="funds_entry_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="funds_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on:%d/%m/%Y} {self.kind} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(str(_("Sổ quỹ chỉ được ghi thêm, không được sửa.")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(str(_("Sổ quỹ chỉ được ghi thêm, không được xóa.")))


# --- pledges and donations -------------------------------------------------------------------


class PledgeStatus(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    FULFILLED = "fulfilled", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


class Pledge(Earmarked):
    """A promise to give, in one or more instalments, with reminders before each is due."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="pledges")
    amount = models.BigIntegerField(_("tổng số cam kết (đồng)"))
    pledged_on = models.DateField(_("ngày cam kết"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cam kết ủng hộ")
        verbose_name_plural = _("cam kết ủng hộ")
        ordering = ["-pledged_on", "-id"]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount}"


class PledgeInstalment(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("hạn"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    reminded_at = models.DateTimeField(_("đã nhắc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đợt cam kết")
        verbose_name_plural = _("đợt cam kết")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.due_on:%d/%m/%Y} {self.amount}"


class DonationMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    IN_KIND = "in_kind", _("Hiện vật")


class DonationStatus(models.TextChoices):
    RECORDED = "recorded", _("Đã ghi nhận")
    REVERSED = "reversed", _("Đã hủy bằng bút toán đảo")


class Donation(Earmarked):
    """A gift received: its ledger entry is posted in the same transaction."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        Fund, verbose_name=_("quỹ"), on_delete=models.PROTECT, related_name="donations"
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("nhà hảo tâm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donations",
    )
    # The name as given (on the receipt and, unless anonymous, on the public list).
    donor_name = models.CharField(_("tên người ủng hộ"), max_length=255)
    anonymous = models.BooleanField(_("ẩn danh khi công khai"), default=False)
    method = models.CharField(_("hình thức"), max_length=10, choices=DonationMethod.choices)
    amount = models.BigIntegerField(_("số tiền / giá trị quy đổi (đồng)"))
    received_on = models.DateField(_("ngày nhận"))
    # The code donors put in the transfer note (and that dynamic VietQR carries).
    reference = models.CharField(_("mã tham chiếu"), max_length=20, unique=True)
    note = models.CharField(_("lời nhắn, ghi chú"), max_length=255, blank=True)
    valued_by = models.CharField(_("người/hội đồng định giá"), max_length=255, blank=True)
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DonationStatus.choices,
        default=DonationStatus.RECORDED,
    )
    reversed_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoản ủng hộ")
        verbose_name_plural = _("khoản ủng hộ")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["fund", "status", "-id"], name="funds_donation_public_idx"),
            models.Index(fields=["unit", "received_on"], name="funds_donation_unit_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_donation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.donor_name} {self.amount}"

    @property
    def public_name(self) -> str:
        return pgettext("anonymous donor", "Nhà hảo tâm") if self.anonymous else self.donor_name


class PaymentRequest(Earmarked):
    """A dynamic VietQR asked for by a donor (or made by an officer for a donor): the amount and a
    reference the bank statement line will carry, so the line becomes a donation by itself."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="payment_requests")
    reference = models.CharField(_("mã tham chiếu"), max_length=20, unique=True)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    donor = models.ForeignKey(
        Donor, null=True, blank=True, on_delete=models.PROTECT, related_name="payment_requests"
    )
    donor_name = models.CharField(_("tên người ủng hộ"), max_length=255, blank=True)
    anonymous = models.BooleanField(_("ẩn danh khi công khai"), default=False)
    email = models.EmailField(_("thư điện tử"), blank=True)
    note = models.CharField(_("lời nhắn"), max_length=255, blank=True)
    donation = models.OneToOneField(
        "Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_request"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("yêu cầu mã QR ủng hộ")
        verbose_name_plural = _("yêu cầu mã QR ủng hộ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_request_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class DonationItem(models.Model):
    """One line of an in-kind gift: what, how many, valued at how much."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="items")
    description = models.CharField(_("tên hàng"), max_length=255)
    measure = models.CharField(_("đơn vị tính"), max_length=30)
    quantity = models.PositiveIntegerField(_("số lượng"))
    unit_value = models.BigIntegerField(_("đơn giá (đồng)"))
    value = models.BigIntegerField(_("thành tiền (đồng)"))

    class Meta:
        verbose_name = _("hiện vật")
        verbose_name_plural = _("hiện vật")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class ReceiptCounter(models.Model):
    """The last receipt number given by a unit in a year (locked while a number is taken)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="funds_receipt_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class Receipt(models.Model):
    """The numbered receipt (giấy xác nhận ủng hộ) of one donation, per unit and year."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="receipt")
    issued_on = models.DateField(_("ngày lập"))
    donor_name = models.CharField(_("người ủng hộ"), max_length=255)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    amount_words = models.CharField(_("số tiền bằng chữ"), max_length=500)
    manual_number = models.BooleanField(_("số theo quyển biên lai giấy"), default=False)
    voided = models.BooleanField(_("đã hủy"), default=False)
    emailed_to = models.EmailField(_("đã gửi thư tới"), blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy xác nhận ủng hộ")
        verbose_name_plural = _("giấy xác nhận ủng hộ")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="funds_receipt_once")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.number:05d}/{self.year}"


# --- bank statements -------------------------------------------------------------------------


class Statement(models.Model):
    """One imported statement file of a fund's account."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="statements")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    layout = models.CharField(_("mẫu sao kê"), max_length=30)
    account_no = models.CharField(_("số tài khoản trên sao kê"), max_length=30, blank=True)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    lines_total = models.PositiveIntegerField(default=0)
    lines_new = models.PositiveIntegerField(default=0)
    lines_duplicate = models.PositiveIntegerField(default=0)
    matched_auto = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sao kê")
        verbose_name_plural = _("sao kê")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class MatchStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("Chưa khớp")
    AUTO = "auto", _("Khớp tự động")
    MANUAL = "manual", _("Khớp thủ công")
    CREATED = "created", _("Đã ghi thành khoản ủng hộ mới")
    IGNORED = "ignored", _("Không phải khoản ủng hộ")
    DEBIT = "debit", _("Ghi nợ (chi ra)")


class StatementLine(models.Model):
    """One transaction of a statement. A line already imported (same bank reference, or the same
    date, amount, note and counterparty at the same position) is never added twice."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField(_("dòng"))
    posted_on = models.DateField(_("ngày giao dịch"))
    amount = models.BigIntegerField(_("số tiền (đồng)"))  # credit positive, debit negative
    description = models.CharField(_("nội dung chuyển khoản"), max_length=500, blank=True)
    counterparty = models.CharField(_("người chuyển"), max_length=255, blank=True)
    counterparty_account = models.CharField(_("tài khoản người chuyển"), max_length=40, blank=True)
    bank_ref = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=64)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=MatchStatus.choices,
        default=MatchStatus.UNMATCHED,
    )
    donation = models.OneToOneField(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    match_note = models.CharField(_("căn cứ khớp"), max_length=255, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dòng sao kê")
        verbose_name_plural = _("dòng sao kê")
        ordering = ["posted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "dedupe_key"], name="funds_line_once")
        ]
        indexes = [models.Index(fields=["fund", "status"], name="funds_line_status_idx")]

    def __str__(self) -> str:
        return f"{self.posted_on:%d/%m/%Y} {self.amount}"


# --- sponsorship of humanitarian addresses (BEN-4) -------------------------------------------


class Frequency(models.TextChoices):
    ONCE = "once", _("Một lần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


class SponsorshipStatus(models.TextChoices):
    ACTIVE = "active", _("Đang thực hiện")
    ENDED = "ended", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã dừng")


class Sponsorship(models.Model):
    """A sponsor's commitment to one humanitarian address ("Mỗi tổ chức, cá nhân gắn với một địa
    chỉ nhân đạo"). Owned by the unit of the address."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    donor = models.ForeignKey(
        Donor, verbose_name=_("nhà tài trợ"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("địa chỉ nhân đạo"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    commitment = models.CharField(_("nội dung cam kết"), max_length=255)
    goods = models.BooleanField(_("bằng hiện vật"), default=False)
    amount = models.BigIntegerField(_("số tiền / giá trị mỗi lần (đồng)"), default=0)
    frequency = models.CharField(_("tần suất"), max_length=10, choices=Frequency.choices)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=SponsorshipStatus.choices,
        default=SponsorshipStatus.ACTIVE,
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    # The sponsor's private link to follow the address (shows only what was consented to).
    token = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gắn kết địa chỉ nhân đạo")
        verbose_name_plural = _("gắn kết địa chỉ nhân đạo")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.donor} → {self.beneficiary}"


class SponsorshipFulfilment(models.Model):
    """One delivery against a sponsorship; a mistaken one is voided with a reason, not deleted."""

    sponsorship = models.ForeignKey(
        Sponsorship, on_delete=models.PROTECT, related_name="fulfilments"
    )
    given_on = models.DateField(_("ngày trao"))
    amount = models.BigIntegerField(_("số tiền / giá trị (đồng)"))
    description = models.CharField(_("nội dung"), max_length=255, blank=True)
    donation = models.ForeignKey(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided = models.BooleanField(_("đã hủy"), default=False)
    void_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lần thực hiện cam kết")
        verbose_name_plural = _("lần thực hiện cam kết")
        ordering = ["given_on", "id"]

    def __str__(self) -> str:
        return f"{self.given_on:%d/%m/%Y} {self.amount}"
