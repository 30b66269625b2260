from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "nhandao.members"
    label = "members"
    verbose_name = _("Hội viên, tình nguyện viên, cán bộ")
