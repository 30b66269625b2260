"""Default thresholds (rules.md "Blood donation"), seeded by a data migration; an administrator
changes them as data."""

from __future__ import annotations

# (threshold, award, awarding body) — Decision 122/QĐ-BCĐQG, 2017; 5, 10 and 15 are the
# provincial honours many provinces add (configurable).
PERSON_HONOURS = [
    (
        5,
        "Giấy khen tôn vinh người hiến máu 5 lần",
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh",
    ),
    (
        10,
        "Giấy khen tôn vinh người hiến máu 10 lần",
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh",
    ),
    (
        15,
        "Giấy khen tôn vinh người hiến máu 15 lần",
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh",
    ),
    (20, "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh"),
    (
        30,
        "Bằng khen của Trung ương Hội Chữ thập đỏ Việt Nam",
        "Trung ương Hội Chữ thập đỏ Việt Nam",
    ),
    (40, "Kỷ niệm chương Vì sự nghiệp nhân đạo", "Trung ương Hội Chữ thập đỏ Việt Nam"),
    (70, "Bằng khen của Thủ tướng Chính phủ", "Thủ tướng Chính phủ"),
]
FAMILY_HONOURS = [
    (
        3,
        "Giấy khen gia đình hiến máu tiêu biểu (3 lần)",
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh",
    ),
    (
        5,
        "Giấy khen gia đình hiến máu tiêu biểu (5 lần)",
        "Ban Chỉ đạo vận động hiến máu tình nguyện tỉnh",
    ),
    (10, "Bằng khen gia đình hiến máu tiêu biểu (10 lần)", "Ủy ban nhân dân tỉnh"),
    (15, "Bằng khen gia đình hiến máu tiêu biểu (15 lần)", "Trung ương Hội Chữ thập đỏ Việt Nam"),
    (
        20,
        "Bằng khen gia đình hiến máu tiêu biểu (20 lần)",
        "Ban Chỉ đạo quốc gia vận động hiến máu tình nguyện",
    ),
]
