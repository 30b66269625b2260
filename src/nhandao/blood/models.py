"""Voluntary blood donation (BLD-1, BLD-2, BLD-3): donors (a role of a Person), sessions, donations,
deferrals, certificates and the free-transfusion uses recorded against them, honours, and pledges
to donate tissue, organs or the body.

Every threshold of rules.md "Blood donation" is data (``BloodRules``, ``HonourRule``), changed by an
administrator, never a constant in code. Two stations cannot record two donations for one donor on
one day (a unique constraint); transfusion uses never exceed the volume donated (row lock).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.scoping import ScopedQuerySet


class Abo(models.TextChoices):
    UNKNOWN = "", _("Chưa rõ")
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"  # noqa: E741 - the blood group is called O


class Rh(models.TextChoices):
    UNKNOWN = "", _("Chưa rõ")
    POSITIVE = "+", _("Rh+ (dương)")
    NEGATIVE = "-", _("Rh− (âm)")


class DonationKind(models.TextChoices):
    WHOLE_BLOOD = "whole_blood", _("Máu toàn phần")
    RED_CELLS = "red_cells", _("Hồng cầu (gạn tách)")
    PLASMA = "plasma", _("Huyết tương (gạn tách)")
    PLATELETS = "platelets", _("Tiểu cầu (gạn tách)")


APHERESIS = (DonationKind.RED_CELLS, DonationKind.PLASMA, DonationKind.PLATELETS)


class BloodRules(models.Model):
    """The thresholds of Circular 26/2013/TT-BYT as data. The row in force on a day is the latest
    with ``valid_from`` on or before it."""

    valid_from = models.DateField(_("áp dụng từ"), unique=True)
    min_age = models.PositiveSmallIntegerField(_("tuổi tối thiểu"), default=18)
    max_age = models.PositiveSmallIntegerField(_("tuổi tối đa"), default=60)
    min_weight_female = models.DecimalField(
        _("cân nặng tối thiểu, nữ (kg)"), max_digits=4, decimal_places=1, default=42
    )
    min_weight_male = models.DecimalField(
        _("cân nặng tối thiểu, nam (kg)"), max_digits=4, decimal_places=1, default=45
    )
    low_weight_below = models.DecimalField(
        _("dưới mức cân này chỉ hiến tối đa 250 ml (kg)"),
        max_digits=4,
        decimal_places=1,
        default=45,
    )
    low_weight_max_ml = models.PositiveSmallIntegerField(
        _("thể tích tối đa khi cân nặng thấp (ml)"), default=250
    )
    ml_per_kg = models.PositiveSmallIntegerField(_("tối đa ml cho mỗi kg"), default=9)
    whole_blood_max_ml = models.PositiveSmallIntegerField(
        _("thể tích máu toàn phần tối đa (ml)"), default=500
    )
    whole_blood_volumes = models.CharField(
        _("các túi máu toàn phần (ml)"), max_length=40, default="250,350,450"
    )
    apheresis_min_weight = models.DecimalField(
        _("cân nặng tối thiểu gạn tách (kg)"), max_digits=4, decimal_places=1, default=50
    )
    apheresis_max_ml = models.PositiveSmallIntegerField(
        _("thể tích gạn tách tối đa (ml)"), default=500
    )
    apheresis_heavy_from = models.DecimalField(
        _("từ cân nặng này được gạn tách nhiều hơn (kg)"),
        max_digits=4,
        decimal_places=1,
        default=60,
    )
    apheresis_heavy_max_ml = models.PositiveSmallIntegerField(
        _("thể tích gạn tách tối đa khi đủ cân (ml)"), default=650
    )
    interval_whole_blood_days = models.PositiveSmallIntegerField(
        _("khoảng cách sau máu toàn phần (ngày)"), default=84
    )
    interval_red_cells_days = models.PositiveSmallIntegerField(
        _("khoảng cách sau hồng cầu (ngày)"), default=84
    )
    interval_plasma_days = models.PositiveSmallIntegerField(
        _("khoảng cách sau huyết tương (ngày)"), default=14
    )
    interval_platelets_days = models.PositiveSmallIntegerField(
        _("khoảng cách sau tiểu cầu (ngày)"), default=21
    )
    # What a donor receives (rules.md): a gift of at least a minimum by volume, and travel and
    # meal support up to a maximum. Whole blood: the minimum of the largest bag at or under the
    # volume given; apheresis: of the first band reaching it.
    gift_min_whole_250 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, máu toàn phần 250 ml (đồng)"), default=100_000
    )
    gift_min_whole_350 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, máu toàn phần 350 ml (đồng)"), default=150_000
    )
    gift_min_whole_450 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, máu toàn phần 450 ml (đồng)"), default=180_000
    )
    gift_min_apheresis_400 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, gạn tách 250–400 ml (đồng)"), default=150_000
    )
    gift_min_apheresis_500 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, gạn tách trên 400–500 ml (đồng)"), default=200_000
    )
    gift_min_apheresis_650 = models.PositiveIntegerField(
        _("quà tặng tối thiểu, gạn tách trên 500–650 ml (đồng)"), default=250_000
    )
    travel_max = models.PositiveIntegerField(_("hỗ trợ đi lại tối đa (đồng)"), default=50_000)
    meal_max = models.PositiveIntegerField(_("hỗ trợ ăn nhẹ tối đa (đồng)"), default=30_000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tiêu chuẩn hiến máu")
        verbose_name_plural = _("tiêu chuẩn hiến máu")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.valid_from:%d/%m/%Y}"


class BloodDonor(models.Model):
    person = models.OneToOneField(
        "people.Person", verbose_name=_("người"), on_delete=models.PROTECT, related_name="blood"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    abo = models.CharField(_("nhóm máu ABO"), max_length=2, choices=Abo.choices, blank=True)
    rh = models.CharField(_("Rh"), max_length=1, choices=Rh.choices, blank=True)
    card_code = models.CharField(_("mã thẻ người hiến máu"), max_length=20, unique=True)
    contact_sms = models.BooleanField(_("nhận tin nhắn nhắc hiến"), default=True)
    contact_call = models.BooleanField(_("nhận cuộc gọi nhắc hiến"), default=True)
    opted_out = models.BooleanField(_("không muốn được nhắc"), default=False)
    donation_count = models.PositiveIntegerField(_("số lần hiến"), default=0)
    last_donation_on = models.DateField(_("lần hiến gần nhất"), null=True, blank=True)
    last_donation_kind = models.CharField(
        max_length=12, choices=DonationKind.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("người hiến máu")
        verbose_name_plural = _("người hiến máu")
        indexes = [
            models.Index(fields=["unit", "abo", "last_donation_on"], name="blood_donor_reminder"),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def blood_group(self) -> str:
        return f"{self.abo}{self.rh}" if self.abo else ""


class WeightRecord(models.Model):
    donor = models.ForeignKey(BloodDonor, on_delete=models.CASCADE, related_name="weights")
    measured_on = models.DateField(_("ngày cân"))
    kg = models.DecimalField(_("cân nặng (kg)"), max_digits=4, decimal_places=1)

    class Meta:
        ordering = ["-measured_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kg__gt=0, kg__lt=300), name="blood_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kg} kg ({self.measured_on:%d/%m/%Y})"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Kế hoạch")
    OPEN = "open", _("Đang tiếp nhận")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", pgettext_lazy("status", "Hủy")


class BloodSession(models.Model):
    """A donation session (điểm/buổi hiến máu), optionally part of a blood-drive campaign."""

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("đợt vận động"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("ngày"))
    place = models.CharField(_("địa điểm"), max_length=255)
    host = models.CharField(_("cơ quan, trường học đăng cai"), max_length=255, blank=True)
    collecting_facility = models.CharField(_("cơ sở tiếp nhận máu"), max_length=255, blank=True)
    expected_donors = models.PositiveIntegerField(_("số người dự kiến"), default=0)
    target_units = models.PositiveIntegerField(_("chỉ tiêu (đơn vị máu)"), default=0)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("buổi hiến máu")
        verbose_name_plural = _("buổi hiến máu")
        ordering = ["-held_on", "place"]

    def __str__(self) -> str:
        return f"{self.place} ({self.held_on:%d/%m/%Y})"


class SessionRegistration(models.Model):
    session = models.ForeignKey(
        BloodSession, on_delete=models.CASCADE, related_name="registrations"
    )
    donor = models.ForeignKey(BloodDonor, on_delete=models.CASCADE, related_name="registrations")
    registered_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(_("đã đến lúc"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "donor"], name="blood_registration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.donor_id}"


class BloodDonation(models.Model):
    """One donation, with its certificate. ``unit`` is the collecting session's unit (or the
    donor's for a past donation imported from a history)."""

    donor = models.ForeignKey(BloodDonor, on_delete=models.PROTECT, related_name="donations")
    session = models.ForeignKey(
        BloodSession, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    donated_on = models.DateField(_("ngày hiến"))
    kind = models.CharField(_("loại"), max_length=12, choices=DonationKind.choices)
    volume_ml = models.PositiveSmallIntegerField(_("thể tích (ml)"))
    weight_kg = models.DecimalField(
        _("cân nặng khi hiến (kg)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    certificate_no = models.CharField(_("số giấy chứng nhận"), max_length=40, blank=True)
    health_notes = models.TextField(_("trả lời khám sàng lọc"), blank=True)  # sensitive
    gift_value = models.BigIntegerField(_("quà tặng (đồng)"), default=0)
    # A database default as well: histories loaded in bulk (COPY) need not name these columns.
    travel_value = models.BigIntegerField(_("hỗ trợ đi lại (đồng)"), default=0, db_default=0)
    meal_value = models.BigIntegerField(_("hỗ trợ ăn nhẹ (đồng)"), default=0, db_default=0)
    first_time = models.BooleanField(_("hiến lần đầu"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần hiến máu")
        verbose_name_plural = _("lần hiến máu")
        constraints = [
            # Two stations checking the same donor in at once cannot both record a donation.
            models.UniqueConstraint(
                fields=["donor", "donated_on"], name="blood_one_donation_a_day"
            ),
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~Q(certificate_no=""),
                name="blood_certificate_once",
            ),
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="blood_volume_positive"),
            models.CheckConstraint(condition=Q(gift_value__gte=0), name="blood_gift_not_negative"),
            models.CheckConstraint(
                condition=Q(travel_value__gte=0, meal_value__gte=0),
                name="blood_support_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["donor", "-donated_on"], name="blood_donation_latest"),
            models.Index(fields=["unit", "donated_on"], name="blood_donation_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.volume_ml} ml ({self.donated_on:%d/%m/%Y})"


class Deferral(models.Model):
    """A deferral (tạm hoãn) with its reason (sensitive) and until when; ``until`` empty means
    permanent."""

    donor = models.ForeignKey(BloodDonor, on_delete=models.CASCADE, related_name="deferrals")
    session = models.ForeignKey(
        BloodSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="deferrals"
    )
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    deferred_on = models.DateField(_("ngày"))
    reason_code = models.CharField(_("lý do"), max_length=30)
    reason_text = models.CharField(_("ghi chú"), max_length=255, blank=True)  # sensitive
    until = models.DateField(_("hoãn đến"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tạm hoãn hiến máu")
        verbose_name_plural = _("tạm hoãn hiến máu")
        indexes = [models.Index(fields=["donor", "-deferred_on"], name="blood_deferral_latest")]

    def __str__(self) -> str:
        return f"{self.reason_code} ({self.deferred_on:%d/%m/%Y})"


class TransfusionUse(models.Model):
    """Free transfusion used against a donation's certificate (never more than was donated)."""

    donation = models.ForeignKey(BloodDonation, on_delete=models.PROTECT, related_name="uses")
    used_on = models.DateField(_("ngày sử dụng"))
    volume_ml = models.PositiveSmallIntegerField(_("thể tích (ml)"))
    hospital = models.CharField(_("cơ sở y tế"), max_length=255)
    patient = models.CharField(_("người được truyền"), max_length=150, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sử dụng máu miễn phí")
        verbose_name_plural = _("sử dụng máu miễn phí")
        constraints = [
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="blood_use_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.volume_ml} ml ({self.used_on:%d/%m/%Y})"


class HonourScope(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    FAMILY = "family", _("Gia đình")


class HonourRule(models.Model):
    """A threshold of donations and the award it earns (Decision 122/QĐ-BCĐQG), as data."""

    scope = models.CharField(_("đối tượng"), max_length=6, choices=HonourScope.choices)
    threshold = models.PositiveSmallIntegerField(_("số lần hiến"))
    award = models.CharField(_("hình thức khen thưởng"), max_length=255)
    awarding_body = models.CharField(_("cấp khen"), max_length=255)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("mốc tôn vinh")
        verbose_name_plural = _("mốc tôn vinh")
        ordering = ["scope", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "threshold"], name="blood_honour_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.threshold}: {self.award}"


class HonourStatus(models.TextChoices):
    PENDING = "pending", _("Chờ khen")
    AWARDED = "awarded", _("Đã khen")


class Honour(models.Model):
    """An honour earned by a donor, or by a family (household), pending until awarded."""

    rule = models.ForeignKey(HonourRule, on_delete=models.PROTECT, related_name="honours")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    donor = models.ForeignKey(
        BloodDonor, null=True, blank=True, on_delete=models.PROTECT, related_name="honours"
    )
    household = models.ForeignKey(
        "people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(_("số lần hiến khi đạt"))
    reached_on = models.DateField(_("ngày đạt mốc"))
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=HonourStatus.choices, default=HonourStatus.PENDING
    )
    awarded_on = models.DateField(_("ngày khen"), null=True, blank=True)
    decision_no = models.CharField(_("số quyết định"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tôn vinh")
        verbose_name_plural = _("tôn vinh")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "donor"],
                condition=Q(donor__isnull=False),
                name="blood_honour_donor",
            ),
            models.UniqueConstraint(
                fields=["rule", "household"],
                condition=Q(household__isnull=False),
                name="blood_honour_family",
            ),
            models.CheckConstraint(
                condition=Q(donor__isnull=False) | Q(household__isnull=False),
                name="blood_honour_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} – {self.donor_id or self.household_id}"


class PledgeKind(models.TextChoices):
    TISSUE = "tissue", _("Hiến mô")
    ORGAN = "organ", _("Hiến bộ phận cơ thể")
    BODY = "body", _("Hiến xác")


class OrganPledge(models.Model):
    """A registered pledge to donate tissue, organs or the body after death (BLD-3)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("đăng ký hiến"), max_length=6, choices=PledgeKind.choices)
    details = models.CharField(_("bộ phận, mô"), max_length=255, blank=True)
    registered_on = models.DateField(_("ngày đăng ký"))
    withdrawn_on = models.DateField(_("ngày rút đăng ký"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký hiến mô, tạng, xác")
        verbose_name_plural = _("đăng ký hiến mô, tạng, xác")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(withdrawn_on__isnull=True),
                name="blood_pledge_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.person_id}"
