from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "nhandao.funds"
    label = "funds"
    verbose_name = _("Vận động, tài trợ và quỹ")
