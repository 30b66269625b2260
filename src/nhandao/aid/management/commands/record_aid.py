"""`manage.py record_aid --campaign ID --person ID --value N [--date dd/mm/yyyy]`: record what one
person was given, through the same service as the pages (overlap refused), as a named user."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from nhandao.aid import services
from nhandao.aid.models import AidKind, Source
from nhandao.campaigns.management.commands._common import (
    acting_user,
    add_user_argument,
    parse_day,
)
from nhandao.campaigns.selectors import campaign_get
from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd
from nhandao.people.selectors import person_get


class Command(BaseCommand):
    help = "Ghi nhận hỗ trợ cho một người trong một phong trào; in mã số bản ghi."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", type=int, required=True, help="Mã số phong trào")
        parser.add_argument("--person", type=int, required=True, help="Mã số người nhận")
        parser.add_argument("--value", type=int, required=True, help="Giá trị (đồng)")
        parser.add_argument("--date", default="", help="Ngày trao (dd/mm/yyyy), mặc định hôm nay")
        parser.add_argument("--kind", default=AidKind.GIFT, choices=AidKind.values)
        parser.add_argument("--source", default=Source.CAMPAIGN, choices=Source.values)
        parser.add_argument("--donor", default="", help="Tên nhà tài trợ (nguồn donor)")
        parser.add_argument("--description", default="")
        parser.add_argument("--override-reason", default="", help="Lý do trao thêm suất thứ hai")
        add_user_argument(parser)

    def handle(self, *args: Any, **o: Any) -> None:
        if not o["user"]:
            raise CommandError("Hãy chỉ rõ người ghi nhận bằng --user.")
        actor = acting_user(o["user"])
        try:
            campaign = campaign_get(user=actor, pk=o["campaign"])
            person = person_get(user=actor, pk=o["person"])
        except Http404 as exc:
            raise CommandError(
                "Không có phong trào hoặc người nhận này trong phạm vi của người ghi nhận."
            ) from exc
        data = services.AidData(
            kind=o["kind"],
            value=o["value"],
            given_on=parse_day(o["date"], "Ngày trao") if o["date"] else None,
            source=o["source"],
            donor_name=o["donor"],
            description=o["description"],
            override_reason=o["override_reason"],
        )
        try:
            record = services.aid_record(actor=actor, campaign=campaign, person=person, data=data)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{record.pk}\t{person.full_name}\t{record.get_kind_display()}\t"
            f"{format_vnd(record.value)}\t{record.given_on:%d/%m/%Y}"
        )
