"""Cross-cutting models: the audit trail that every write path records into."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEvent(models.Model):
    """One audited action: who did what to which object, in which unit, old → new."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo mới")
        UPDATE = "update", _("Sửa")
        MOVE = "move", _("Chuyển")
        MERGE = "merge", _("Hợp nhất")
        DEACTIVATE = "deactivate", _("Ngừng hoạt động")
        REACTIVATE = "reactivate", _("Hoạt động lại")
        DELETE = "delete", _("Xóa")
        GRANT = "grant", _("Cấp quyền")
        REVOKE = "revoke", _("Thu hồi")
        LOGIN = "login", _("Đăng nhập")
        LOGOUT = "logout", _("Đăng xuất")
        LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
        VIEW_SENSITIVE = "view_sensitive", _("Xem dữ liệu nhạy cảm")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=60, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(pgettext_lazy("audit", "đối tượng"), max_length=255, blank=True)
    # The unit whose subtree owns the change; the audit trail is scoped like any other data.
    unit_path = models.CharField(_("đơn vị (đường dẫn)"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
