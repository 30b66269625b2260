"""How the evidence stored on a candidate pair reads: each code is the level a comparison reached
(see ``engine.COMPARISONS``); agreements speak for one person, disagreements against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# code → (label, True when it speaks for "same person")
LABELS: dict[str, tuple[Promise, bool]] = {
    "given_name:exact": (_("trùng tên"), True),
    "given_name:typo": (_("tên lệch một chữ"), True),
    "given_name:similar": (_("tên gần giống"), True),
    "given_name:else": (_("khác tên"), False),
    "family_name:exact": (_("trùng họ"), True),
    "family_name:else": (_("khác họ"), False),
    "middle_name:exact": (_("trùng tên đệm"), True),
    "middle_name:missing": (_("một bên thiếu tên đệm"), True),
    "middle_name:part": (_("tên đệm thiếu một phần"), True),
    "middle_name:else": (_("khác tên đệm"), False),
    "birth:date": (_("trùng ngày sinh"), True),
    "birth:swapped": (_("ngày sinh đảo ngày/tháng"), True),
    "birth:year": (_("trùng năm sinh"), True),
    "birth:year_other_day": (_("cùng năm sinh, khác ngày"), False),
    "birth:else": (_("khác năm sinh"), False),
    "sex:exact": (_("cùng giới tính"), True),
    "sex:else": (_("khác giới tính"), False),
    "id_number:exact": (_("trùng số CCCD"), True),
    "id_number:typo": (_("số CCCD lệch một chữ số"), True),
    "id_number:else": (_("khác số CCCD"), False),
    "legacy_id:exact": (_("trùng số CMND"), True),
    "legacy_id:else": (_("khác số CMND"), False),
    "phone:exact": (_("trùng số điện thoại"), True),
    "phone:else": (_("khác số điện thoại"), False),
    "address:locality": (_("cùng thôn/tổ, xã/phường"), True),
    "address:old_commune": (_("cùng xã cũ (địa chỉ trước sắp xếp)"), True),
    "address:ward": (_("cùng xã/phường"), True),
    "address:else": (_("khác xã/phường"), False),
    "household:same": (_("cùng hộ gia đình"), True),
    "household:head": (_("cùng chủ hộ"), True),
    "household:else": (_("khác hộ gia đình"), False),
    # household pairs
    "household:head_same": (_("cùng một chủ hộ"), True),
    "household:head_pair": (_("hai chủ hộ nghi là một người"), True),
    "household:code": (_("trùng mã hộ"), True),
    "household:address": (_("cùng địa chỉ, tên chủ hộ gần giống"), True),
}


@dataclass(frozen=True)
class Evidence:
    label: str
    agrees: bool


def evidence(reasons: Any) -> list[Evidence]:
    """The reasons of a pair as labels; text stored by an older run is shown as it was written."""
    out = []
    for code in reasons or []:
        known = LABELS.get(str(code))
        if known is None:
            out.append(Evidence(str(code), True))
        else:
            out.append(Evidence(str(known[0]), known[1]))
    return out


def evidence_text(reasons: Any) -> str:
    return ", ".join(e.label for e in evidence(reasons))
