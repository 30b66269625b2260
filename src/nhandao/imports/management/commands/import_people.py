"""`manage.py import_people FILE --unit UNIT_CODE`: the same pipeline as the pages, in one go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.orgs.models import Role, RoleAssignment, Unit, User


class Command(BaseCommand):
    help = "Nhập danh sách địa chỉ nhân đạo từ tệp Excel/CSV vào một đơn vị; in số dòng và tệp lỗi."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ W00070")
        parser.add_argument(
            "--user",
            default="",
            help="Tên đăng nhập của người nhập (mặc định: "
            "người quản trị đầu tiên của đơn vị hoặc cấp trên)",
        )
        parser.add_argument("--kind", default="beneficiaries")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument("--errors", default="", help="Nơi lưu tệp kết quả kiểm tra (.xlsx)")
        parser.add_argument(
            "--max-mb",
            type=int,
            default=0,
            help="Dung lượng tệp tối đa, MB (mặc định: NHANDAO_IMPORT_MAX_BYTES, 50 MB)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không thấy tệp «{path}».")
        unit = Unit.objects.filter(short_code=options["unit"].upper()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã «{options['unit']}».")
        actor = self._actor(unit, options["user"])
        try:
            job = services.import_upload(
                actor=actor,
                unit=unit,
                kind=options["kind"],
                filename=path.name,
                data=path.read_bytes(),
                max_bytes=options["max_mb"] * 1024 * 1024 or None,
            )
            mapping = {int(k): v for k, v in job.mapping.items()}
            job = services.import_set_mapping(actor=actor, job=job, mapping=mapping)
            job = services.import_validate(job_id=job.pk)
            if job.status == "failed":
                raise CommandError(job.message)
            errors_path = Path(options["errors"] or f"{path.stem}-ket-qua-kiem-tra.xlsx")
            errors_path.write_bytes(services.job_workbook(job))
            if not options["dry_run"]:
                job = services.import_commit(actor=actor, job=job)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        c = job.counts
        self.stdout.write(
            f"Tổng {c.get('total', 0)} dòng: hợp lệ {c.get('ok', 0)}, cần xem lại "
            f"{c.get('warning', 0)}, lỗi {c.get('error', 0)}, trùng trong tệp "
            f"{c.get('duplicate', 0)}, đã có {c.get('existing', 0)}, có thể trùng hồ sơ đã có "
            f"{c.get('with_matches', 0)}; đã ghi {c.get('written', 0)}."
        )
        self.stdout.write(f"Tệp kết quả kiểm tra: {errors_path.resolve()}")

    @staticmethod
    def _actor(unit: Unit, username: str) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{username}».")
            return user
        ancestors = [unit.path[:i] for i in range(4, len(unit.path) + 1, 4)]
        assignment = (
            RoleAssignment.objects.filter(
                unit__path__in=ancestors,
                is_active=True,
                role_id__in=[Role.UNIT_ADMIN, Role.SYSTEM_ADMIN, Role.OFFICER],
            )
            .select_related("user")
            .order_by("-unit__depth", "role__rank")
            .first()
        )
        if assignment is None:
            raise CommandError("Đơn vị chưa có người quản trị: hãy chỉ rõ --user.")
        return assignment.user
