"""The beneficiary groups named in CAPABILITIES BEN-1 (seeded by a data migration)."""

DEFAULT_GROUPS: list[tuple[str, str, bool]] = [
    ("poor", "Hộ nghèo", False),
    ("near_poor", "Hộ cận nghèo", False),
    ("disabled", "Người khuyết tật", True),
    ("lonely_elderly", "Người cao tuổi cô đơn", False),
    ("orphan", "Trẻ mồ côi", False),
    ("policy_family", "Gia đình chính sách", False),
    ("agent_orange", "Nạn nhân chiến tranh, chất độc da cam", True),
    ("disaster", "Bị ảnh hưởng thiên tai", False),
    ("epidemic", "Bị ảnh hưởng dịch bệnh", True),
    ("fire", "Bị hỏa hoạn", False),
    ("traffic_accident", "Bị tai nạn giao thông", True),
    ("serious_illness", "Mắc bệnh hiểm nghèo", True),
    ("other", "Hoàn cảnh đặc biệt khó khăn khác", False),
]
POVERTY_GROUPS = {"poor", "near_poor"}
