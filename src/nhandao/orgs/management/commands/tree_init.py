from typing import Any

from django.core.management.base import BaseCommand

from nhandao.geo.services import geo_load_official
from nhandao.orgs.bootstrap import commune_chapters_init, tree_init


class Command(BaseCommand):
    help = (
        "Tạo Trung ương Hội và 34 Hội CTĐ tỉnh/thành phố; với --communes, tạo Hội CTĐ cho mọi "
        "xã/phường/đặc khu. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--communes", action="store_true", help="Tạo cả 3.321 Hội CTĐ cấp xã.")

    def handle(self, *args: Any, **options: Any) -> None:
        geo_load_official()
        provinces = tree_init()
        made = 0
        if options["communes"]:
            made = sum(commune_chapters_init(province_unit=u) for u in provinces.values())
        self.stdout.write(
            f"Hội CTĐ tỉnh/thành phố: {len(provinces)}; Hội CTĐ cấp xã mới tạo: {made}."
        )
