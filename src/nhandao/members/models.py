"""The people of the Red Cross (ORG-3, ORG-5): members with cards, dues and transfers; volunteers
and collaborators with skills, teams and hours of service; youth members in schools; staff; and
applications from the public form, which enter the registry only once a branch confirms them.

Each is a role of a ``people.Person``. Teams, school branches and branches in agencies and
enterprises are units of the chapter tree (``UnitKind.TEAM``, ``UnitCategory.SCHOOL`` …).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nhandao.core.scoping import ScopedQuerySet


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    LAPSED = "lapsed", _("Không sinh hoạt")
    LEFT = "left", _("Đã ra khỏi Hội")
    DECEASED = "deceased", _("Đã mất")


class Member(models.Model):
    """A member (hội viên) of a branch; one membership per person, moved by transfers."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("người"), on_delete=models.PROTECT, related_name="member"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("chi hội"), on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField(_("ngày vào Hội"))
    card_no = models.CharField(_("số thẻ hội viên"), max_length=30, blank=True)
    card_issued_on = models.DateField(_("ngày cấp thẻ"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
        db_index=True,
    )
    status_since = models.DateField(_("từ ngày"), null=True, blank=True)
    # The latest year with dues recorded (paid or exempt), empty when none: kept by
    # ``services.dues_record`` and ``services.merge_profiles`` (backfilled by migration 0004), so
    # "dues of this year not recorded" is a range of the ``member_unit_dues`` index, not a probe
    # of ``members_dues`` per member (see ``selectors.member_list``).
    last_dues_year = models.PositiveSmallIntegerField(
        _("năm hội phí gần nhất"), null=True, blank=True, editable=False
    )
    # The person's ``name_key`` (the full name folded), copied so that a name typed in the list
    # is filtered on the members of the unit alone, from the ``member_unit_name`` index, rather
    # than by joining each of a province's members to its person (3.8 s for "nguyen thanh"
    # among 232,000). Kept by ``services.member_register`` and the people services' hook
    # ``person_changed`` (a name corrected, a merge).
    name_key = models.CharField(max_length=150, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hội viên")
        verbose_name_plural = _("hội viên")
        constraints = [
            models.UniqueConstraint(
                fields=["card_no"], condition=~Q(card_no=""), name="member_card_once"
            ),
        ]
        indexes = [
            # A unit's members by status (the lists of a commune) and, for a status, by the
            # latest year of dues: "not recorded for Y" reads a range of it (PostgreSQL: index
            # only, ``id`` included for the few members with dues beyond Y).
            models.Index(
                fields=["unit", "status", "last_dues_year"],
                include=["id"],
                name="member_unit_dues",
            ),
            # A name typed in the list of a unit's subtree: the matching members' ids from an
            # index-only scan of its members (``selectors.member_list``).
            models.Index(
                fields=["unit"], include=["status", "name_key", "id"], name="member_unit_name"
            ),
            # The dashboard counts read a subtree's members from this index alone (PostgreSQL).
            models.Index(
                fields=["unit"],
                include=["status", "joined_on", "status_since"],
                name="member_unit_counts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


class DuesStatus(models.TextChoices):
    PAID = "paid", _("Đã đóng")
    EXEMPT = "exempt", _("Được miễn")


class Dues(models.Model):
    """A member's dues (hội phí) for one year: paid (amount in VND) or exempt."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dues")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("tình trạng"), max_length=6, choices=DuesStatus.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"), default=0)
    paid_on = models.DateField(_("ngày đóng"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("hội phí")
        verbose_name_plural = _("hội phí")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_status_display()}"


class MemberTransfer(models.Model):
    """A member moved between branches (people move, units merge): the history is kept."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("ngày chuyển"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chuyển sinh hoạt")
        verbose_name_plural = _("chuyển sinh hoạt")
        ordering = ["-transferred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_unit_id} → {self.to_unit_id}"


class Skill(models.Model):
    code = models.SlugField(_("mã"), max_length=30, primary_key=True)
    name = models.CharField(_("tên"), max_length=120)

    class Meta:
        verbose_name = _("kỹ năng")
        verbose_name_plural = _("kỹ năng")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VolunteerKind(models.TextChoices):
    VOLUNTEER = "volunteer", pgettext_lazy("kind", "Tình nguyện viên")
    COLLABORATOR = "collaborator", _("Cộng tác viên")


class Volunteer(models.Model):
    """A volunteer (18 and over) or collaborator, with skills, availability and a rank where the
    province uses ranks. Whether they are "active" follows the unit's ``VolunteerRule``."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("người"), on_delete=models.PROTECT, related_name="volunteer"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=VolunteerKind.choices)
    skills: models.ManyToManyField[Skill, Skill] = models.ManyToManyField(
        Skill, verbose_name=_("kỹ năng"), related_name="+", blank=True
    )
    availability = models.CharField(_("thời gian có thể tham gia"), max_length=255, blank=True)
    rank = models.CharField(_("hạng"), max_length=60, blank=True)
    joined_on = models.DateField(_("ngày tham gia"))
    left_on = models.DateField(_("ngày thôi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tình nguyện viên, cộng tác viên")
        verbose_name_plural = _("tình nguyện viên, cộng tác viên")

    def __str__(self) -> str:
        return str(self.person)


class VolunteerRule(models.Model):
    """When a volunteer counts as active, set per unit by an administrator (applies below it)."""

    unit = models.OneToOneField("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    min_hours = models.DecimalField(_("số giờ tối thiểu"), max_digits=6, decimal_places=1)
    period_months = models.PositiveSmallIntegerField(_("trong số tháng gần nhất"), default=3)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiêu chí tình nguyện viên tích cực")
        verbose_name_plural = _("tiêu chí tình nguyện viên tích cực")

    def __str__(self) -> str:
        return f"{self.min_hours} h / {self.period_months}"


class TeamMembership(models.Model):
    """A volunteer in a team (a unit of kind team: volunteer, disaster-response, first-aid)."""

    team = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="teams")
    role = models.CharField(_("vai trò trong đội"), max_length=60, blank=True)
    joined_on = models.DateField(_("ngày vào đội"))
    left_on = models.DateField(_("ngày rời đội"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=Q(left_on__isnull=True),
                name="team_member_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.volunteer_id}"


class ServiceHours(models.Model):
    """Hours of service logged against an activity, optionally in a campaign."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField(_("ngày"))
    hours = models.DecimalField(_("số giờ"), max_digits=5, decimal_places=1)
    activity = models.CharField(_("hoạt động"), max_length=255)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("phong trào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giờ tình nguyện")
        verbose_name_plural = _("giờ tình nguyện")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="service_hours_range"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "served_on"], name="service_hours_day")]

    def __str__(self) -> str:
        return f"{self.hours} h ({self.served_on:%d/%m/%Y})"


class YouthMember(models.Model):
    """A youth Red Cross member in a school branch for one school year (Circular 07/2014)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("trường (chi hội)"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.CharField(_("năm học"), max_length=9)  # "2026-2027"
    class_name = models.CharField(_("lớp"), max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thanh thiếu niên Chữ thập đỏ")
        verbose_name_plural = _("thanh thiếu niên Chữ thập đỏ")
        constraints = [
            models.UniqueConstraint(fields=["person", "school_year"], name="youth_once_a_year"),
        ]
        indexes = [models.Index(fields=["unit", "school_year"], name="youth_school_year")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.class_name} ({self.school_year})"


class YouthActivity(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("trường (chi hội)"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("ngày"))
    title = models.CharField(_("hoạt động"), max_length=255)
    participants = models.PositiveIntegerField(_("số người tham gia"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoạt động của chi hội trường học")
        verbose_name_plural = _("hoạt động của chi hội trường học")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Chuyên trách")
    PART_TIME = "part_time", _("Kiêm nhiệm")


class StaffBasis(models.TextChoices):
    ELECTED = "elected", _("Bầu cử")
    EMPLOYED = "employed", _("Tuyển dụng, hợp đồng")


class StaffPosition(models.Model):
    """A position held by a staff member (cán bộ Hội) in a unit for a term; the HR fields the
    Red Cross keeps, the sensitive ones masked for roles without ``pii.view``."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("chức vụ"), max_length=120)
    employment = models.CharField(_("chế độ"), max_length=10, choices=Employment.choices)
    basis = models.CharField(_("hình thức"), max_length=10, choices=StaffBasis.choices)
    term_from = models.DateField(_("nhiệm kỳ từ"))
    term_to = models.DateField(_("nhiệm kỳ đến"), null=True, blank=True)
    education = models.CharField(_("trình độ chuyên môn"), max_length=120, blank=True)
    political_theory = models.CharField(_("lý luận chính trị"), max_length=60, blank=True)
    state_management = models.CharField(_("quản lý nhà nước"), max_length=60, blank=True)
    insurance_no = models.CharField(
        _("số sổ bảo hiểm xã hội"), max_length=20, blank=True
    )  # sensitive
    salary_grade = models.CharField(_("ngạch, bậc lương"), max_length=40, blank=True)  # sensitive
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cán bộ Hội")
        verbose_name_plural = _("cán bộ Hội")
        ordering = ["-term_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_to__isnull=True) | Q(term_to__gte=models.F("term_from")),
                name="staff_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} ({self.person_id})"


class ApplicationKind(models.TextChoices):
    MEMBER = "member", _("Hội viên")
    VOLUNTEER = "volunteer", pgettext_lazy("kind", "Tình nguyện viên")
    COLLABORATOR = "collaborator", _("Cộng tác viên")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    REJECTED = "rejected", _("Không xác nhận")


class Application(models.Model):
    """A self-registration from the public form. Nothing enters the registry until the branch
    confirms it (``person`` is set then)."""

    kind = models.CharField(_("đăng ký làm"), max_length=12, choices=ApplicationKind.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị muốn tham gia"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth = models.CharField(_("ngày sinh"), max_length=10)
    sex = models.CharField(_("giới tính"), max_length=6, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15)
    email = models.EmailField(_("thư điện tử"), blank=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address_detail = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    skills = models.CharField(_("kỹ năng"), max_length=255, blank=True)
    message = models.TextField(_("lời nhắn"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn đăng ký")
        verbose_name_plural = _("đơn đăng ký")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.full_name
