"""``python manage.py check_references``: the references the database does not check (ADR 4 and
8) checked now; exits with an error listing any that point nowhere."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nhandao.core import references


class Command(BaseCommand):
    help = _("Kiểm tra các tham chiếu mà cơ sở dữ liệu không tự kiểm tra (ADR 4 và 8).")

    def handle(self, *args: Any, **options: Any) -> None:
        checked = references.unchecked_references()
        broken = references.check_all()
        for item in broken:
            self.stderr.write(
                _("%(ref)s: %(n)d dòng trỏ tới bản ghi không tồn tại (ví dụ id %(ids)s).")
                % {
                    "ref": item.reference.label,
                    "n": item.count,
                    "ids": ", ".join(str(i) for i in item.sample),
                }
            )
        if broken:
            raise CommandError(
                _("%(n)d trong %(total)d tham chiếu có bản ghi trỏ tới nơi không tồn tại.")
                % {"n": len(broken), "total": len(checked)}
            )
        self.stdout.write(
            _("Đã kiểm tra %(total)d tham chiếu: không có tham chiếu treo.")
            % {"total": len(checked)}
        )
