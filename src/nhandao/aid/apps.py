from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "nhandao.aid"
    label = "aid"
    verbose_name = _("Trao tặng, hỗ trợ")
