from typing import Any

from django.core.management.base import BaseCommand

from nhandao.geo.services import geo_load_official


class Command(BaseCommand):
    help = "Nạp 34 tỉnh/thành phố và 3.321 xã/phường/đặc khu (chạy lại không tạo trùng)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = geo_load_official()
        self.stdout.write(
            f"Tỉnh/thành phố: {result.provinces_total} (mới {result.provinces_created}); "
            f"xã/phường/đặc khu: {result.wards_total} (mới {result.wards_created})."
        )
