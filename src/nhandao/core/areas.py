"""The seven Red Cross activity areas (Law on Red Cross Activities 11/2008/QH12, art. 2).

Every campaign, aid record and report line is tagged with one (rules.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityArea(models.TextChoices):
    RELIEF = "relief", _("Cứu trợ khẩn cấp, trợ giúp nhân đạo")
    HEALTH = "health", _("Chăm sóc sức khỏe")
    FIRST_AID = "first_aid", _("Sơ cấp cứu")
    BLOOD = "blood", _("Hiến máu, hiến mô, bộ phận cơ thể người, hiến xác")
    TRACING = "tracing", _("Tìm kiếm thân nhân thất lạc")
    VALUES = "values", _("Tuyên truyền giá trị nhân đạo")
    DISASTER = "disaster", _("Phòng ngừa, ứng phó thảm họa")
