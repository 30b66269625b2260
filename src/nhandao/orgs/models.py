"""The chapter tree, users, roles and their assignments (ORG-1, ORG-2)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from nhandao.core.scoping import ScopedQuerySet


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("Trung ương Hội")
    PROVINCE = "province", _("Hội CTĐ tỉnh/thành phố")
    DISTRICT = "district", _("Hội CTĐ quận/huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Hội CTĐ xã/phường/đặc khu")
    BRANCH = "branch", _("Chi hội")
    GROUP = "group", _("Tổ hội")
    TEAM = "team", _("Đội")
    CLUB = "club", _("Câu lạc bộ")


class UnitCategory(models.TextChoices):
    """Where a branch sits, or what a team or club does."""

    NONE = "", _("(không)")
    RESIDENTIAL = "residential", _("Khu dân cư (thôn, ấp, bản, tổ dân phố)")
    SCHOOL = "school", _("Trường học")
    AGENCY = "agency", _("Cơ quan")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    VOLUNTEER = "volunteer", _("Tình nguyện viên")
    DISASTER_RESPONSE = "disaster_response", _("Ứng phó thảm họa")
    FIRST_AID = "first_aid", _("Sơ cấp cứu")
    BLOOD_DONOR = "blood_donor", _("Hiến máu")
    OTHER = "other", _("Khác")


class UnitQuerySet(ScopedQuerySet["Unit"], MP_NodeQuerySet):
    scope_path_field = "path"

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class UnitManager(MP_NodeManager):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user: Any) -> UnitQuerySet:
        return self.get_queryset().visible_to(user)  # type: ignore[return-value]


class Unit(MP_Node):
    """A Red Cross chapter, branch, group, team or club: one node of the one tree."""

    steplen = 4

    name = models.CharField(_("tên"), max_length=200)
    short_code = models.CharField(_("mã đơn vị"), max_length=40, unique=True, null=True, blank=True)
    kind = models.CharField(_("cấp/loại"), max_length=20, choices=UnitKind.choices)
    category = models.CharField(
        _("lĩnh vực/nơi sinh hoạt"), max_length=30, choices=UnitCategory.choices, blank=True
    )
    province = models.ForeignKey(
        "geo.Province",
        verbose_name=_("tỉnh/thành phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ward = models.ForeignKey(
        "geo.Ward",
        verbose_name=_("xã/phường/đặc khu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True, db_index=True)
    active_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    active_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    search_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    sort_key = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[UnitManager] = UnitManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("đơn vị Hội")
        verbose_name_plural = _("đơn vị Hội")
        indexes = [
            models.Index(
                fields=["path"], name="orgs_unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "is_active"], name="orgs_unit_kind_idx"),
            # Children of a node: depth = d + 1 and a path prefix.
            models.Index(
                fields=["depth", "path"],
                name="orgs_unit_depth_path_idx",
                opclasses=["int4_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    # Vietnamese order of the full name (given, middle, family), for every list of users.
    sort_key = models.CharField(max_length=400, editable=False, default="", db_index=True)

    # Set per request by ActorMiddleware (or by the API token): the assignment acted under.
    active_assignment: RoleAssignment | None = None

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def scope_paths(self) -> list[str] | None:
        from .permissions import scope_paths_for

        return scope_paths_for(self)


class Role(models.Model):
    """A role is data: its code, its Vietnamese name and the permissions it grants."""

    SYSTEM_ADMIN = "system_admin"
    UNIT_ADMIN = "unit_admin"
    OFFICER = "officer"
    DATA_ENTRY = "data_entry"
    VIEWER = "viewer"
    AUDITOR = "auditor"
    PARTNER = "partner"
    PARTNER_ORG = "partner_org"

    code = models.SlugField(_("mã"), max_length=30, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    permissions = models.JSONField(_("quyền"), default=list)
    rank = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    requires_2fa = models.BooleanField(_("bắt buộc xác thực hai lớp"), default=False)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the user's language: a role seeded by the system has its name in the
        catalogue; one named by an administrator keeps the name as typed."""
        return gettext(self.name)


class RoleAssignment(models.Model):
    """A user acts for a unit (and its subtree) with a role."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("vai trò"), on_delete=models.PROTECT, related_name="assignments"
    )
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="orgs_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.unit}"


class ApiTokenQuerySet(ScopedQuerySet["ApiToken"]):
    scope_path_field = "assignment__unit__path"


class ApiToken(models.Model):
    """A per-user API key acting under one assignment. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên khóa"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
