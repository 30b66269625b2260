from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from nhandao.geo.services import geo_load_official
from nhandao.orgs.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Nạp danh mục hành chính và bộ dữ liệu mẫu (chạy lại không tạo trùng), in tài khoản mẫu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="", help="Địa chỉ sẽ in ra cho người dùng.")

    def handle(self, *args: Any, **options: Any) -> None:
        geo = geo_load_official()
        logins = demo_seed()
        # Each domain app adds its demo records after the tree and users exist.
        for path in settings.NHANDAO_DEMO_SEEDERS:
            import_string(path)()
        out = self.stdout
        out.write(
            f"Danh mục hành chính: {geo.provinces_total} tỉnh/thành, {geo.wards_total} xã/phường."
        )
        if options["url"]:
            out.write(self.style.SUCCESS(f"\nnhandao đang chạy tại: {options['url']}"))
        out.write(f"\nTài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for login in logins:
            out.write(f"  {login.username:<20} {login.role:<20} {login.unit}")
