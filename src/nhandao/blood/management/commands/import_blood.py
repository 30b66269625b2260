"""`manage.py import_blood FILE --unit CODE --kind donors|donations`: a donor list or a past
donation history through the one import pipeline (the same checks as the import pages); prints
the counts and the path of the workbook of checks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from nhandao.imports.management.commands.import_people import Command as ImportCommand

KINDS = {"donors": "blood_donors", "donations": "blood_donations"}


class Command(ImportCommand):
    help = (
        "Nhập danh sách người hiến máu (--kind donors) hoặc lịch sử hiến máu (--kind donations) "
        "từ tệp Excel/CSV vào một đơn vị; in số dòng và tệp kết quả kiểm tra."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "kind":
                action.default = None
                action.required = True
                action.choices = list(KINDS)
                action.help = "donors: danh sách người hiến máu; donations: lịch sử hiến máu"

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options.get("kind")
        if kind not in KINDS:
            raise CommandError("Chọn --kind donors hoặc --kind donations.")
        options["kind"] = KINDS[kind]
        super().handle(*args, **options)
