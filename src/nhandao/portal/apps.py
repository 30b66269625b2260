from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "nhandao.portal"
    label = "portal"
    verbose_name = _("Trang công khai")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .folding import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="nhandao.portal.fold")
