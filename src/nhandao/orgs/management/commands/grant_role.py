from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nhandao.orgs.models import Role, RoleAssignment, Unit, User


class Command(BaseCommand):
    help = (
        "Cấp vai trò cho người dùng tại một đơn vị (dùng khi cài đặt: quản trị hệ thống đầu tiên)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("unit_code", help="Mã đơn vị, ví dụ TW, P01, W00070")
        parser.add_argument("role", help="system_admin, unit_admin, officer, data_entry, …")

    def handle(self, *args: Any, **options: Any) -> None:
        from nhandao.core.audit import audit_record
        from nhandao.core.models import AuditEvent

        user = User.objects.filter(username=options["username"]).first()
        unit = Unit.objects.filter(short_code=options["unit_code"].upper()).first()
        role = Role.objects.filter(code=options["role"]).first()
        if user is None or unit is None or role is None:
            raise CommandError("Không tìm thấy người dùng, mã đơn vị hoặc vai trò đã nêu.")
        assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        if not assignment.is_active:
            assignment.is_active = True
            assignment.save(update_fields=["is_active"])
        audit_record(
            actor="manage.py grant_role",
            action=AuditEvent.Action.GRANT,
            obj=user,
            unit_path=unit.path,
            changes={"role": [None, role.name], "unit": [None, unit.name]},
        )
        self.stdout.write(f"{user.username}: {role.name} · {unit.name}")
