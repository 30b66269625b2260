"""Campaign pages: list and form, launch and close, the campaign page with its charts, targets by
hand and split, coverage with the uncovered list and its printable version, good examples, the
dashboard fragment; scoped, audited, in Vietnamese, with a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import services as aid
from nhandao.campaigns.models import Campaign, CampaignStatus, GoodExample, Target
from nhandao.core.models import AuditEvent
from tests.campaigns.conftest import make_campaign
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db

GIFT = aid.AidData(value=500_000, given_on=dt.date(2026, 11, 20))


def _give(people, campaign, person, day=20):
    data = aid.AidData(value=500_000, given_on=dt.date(2026, 11, day))
    return aid.aid_record(
        actor=actor(people.hn_officer), campaign=campaign, person=person, data=data
    )


# --- List and form ------------------------------------------------------------------------------


def test_list_shows_campaigns_launched_in_or_above_the_scope_and_filters(client, tree, people, tet):
    qt = Campaign.objects.create(
        unit=tree.quang_tri,
        kind="custom",
        name="Quảng Trị riêng",
        area="relief",
        year=2026,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 1),
    )
    login(client, people.clerk)  # Hoàn Kiếm: sees the Hà Nội campaign launched above it
    response = client.get(reverse("campaign_list"))
    assert response.status_code == 200
    names = [c.name for c in response.context["page"].object_list]
    assert names == ["Tết Nhân ái Xuân Đinh Mùi 2027"]
    assert qt.name not in response.content.decode()
    assert not response.context["may_create"]  # data entry cannot launch campaigns
    response = client.get(reverse("campaign_list"), {"kind": "humanitarian_month"})
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("campaign_list"), {"year": "2027", "status": "launched"})
    assert [c.pk for c in response.context["page"].object_list] == [tet.campaign.pk]


def test_list_queries_do_not_grow_with_rows(client, tree, people, django_assert_max_num_queries):
    login(client, people.hn_officer)
    for year in range(2027, 2030):
        make_campaign(people, tree, lunar_year=year, launch=False)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("campaign_list"))
    for year in range(2030, 2040):
        make_campaign(people, tree, lunar_year=year, launch=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("campaign_list"))
    assert response.context["page"].paginator.count == 13


def test_tet_form_fills_name_and_window_from_the_lunar_year(client, people):
    login(client, people.hn_officer)
    response = client.get(reverse("campaign_create"), {"kind": "tet", "lunar_year": "2027"})
    form = response.context["form"]
    assert form.initial["name"] == "Tết Nhân ái Xuân Đinh Mùi 2027"
    assert form.initial["starts_on"] == dt.date(2027, 1, 15)
    assert form.initial["ends_on"] == dt.date(2027, 1, 30)
    assert 'value="15/01/2027"' in response.content.decode()


def test_new_form_proposes_the_coming_tet(client, people):
    login(client, people.hn_officer)
    initial = client.get(reverse("campaign_create")).context["form"].initial
    today = timezone.localdate()
    assert initial["kind"] == "tet" and initial["lunar_year"] in (today.year, today.year + 1)
    assert initial["name"].startswith("Tết Nhân ái Xuân ")
    assert initial["area"] == "relief" and initial["groups"] == ["poor", "near_poor"]


def test_humanitarian_month_form_fills_may_with_its_peak(client, people):
    login(client, people.hn_officer)
    response = client.get(
        reverse("campaign_create"), {"kind": "humanitarian_month", "year": "2027"}
    )
    initial = response.context["form"].initial
    assert initial["starts_on"] == dt.date(2027, 5, 1)
    assert initial["ends_on"] == dt.date(2027, 5, 31)
    assert (initial["peak_from"], initial["peak_to"]) == (dt.date(2027, 5, 8), dt.date(2027, 5, 19))


def test_create_launch_and_close_a_campaign(client, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("campaign_create"),
        {
            "kind": "humanitarian_month",
            "year": "2027",
            "theme": "Chung tay vì cộng đồng",
            "area": "relief",
            "groups": ["poor", "lonely_elderly"],
            "gift_rule": "household",
            "min_gift_value": "500.000",
            "description": "Cao điểm 8–19/5",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.unit == tree.hanoi  # the active assignment's unit
    assert campaign.name == "Tháng Nhân đạo năm 2027"
    assert campaign.min_gift_value == 500_000
    assert set(campaign.groups.values_list("code", flat=True)) == {"poor", "lonely_elderly"}
    assert client.post(reverse("campaign_launch", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    assert client.post(reverse("campaign_close", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    events = AuditEvent.objects.filter(object_type="campaigns.campaign", object_id=str(campaign.pk))
    assert events.count() == 3


def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(client, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("campaign_create"),
        {
            "kind": "custom",
            "name": "Vì người nghèo",
            "starts_on": "20/05/2027",
            "ends_on": "01/05/2027",
            "gift_rule": "household",
            "min_gift_value": "1,5 triệu",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "không hợp lệ" in errors["min_gift_value"][0]
    response = client.post(
        reverse("campaign_create"),
        {
            "kind": "custom",
            "name": "Vì người nghèo",
            "starts_on": "20/05/2027",
            "ends_on": "01/05/2027",
            "gift_rule": "household",
        },
    )
    assert "Ngày kết thúc trước ngày bắt đầu." in response.content.decode()
    assert not Campaign.objects.exists()


def test_edit_keeps_the_campaign_and_a_commune_cannot_change_the_province_campaign(
    client, people, tet
):
    login(client, people.hn_officer)
    url = reverse("campaign_edit", args=[tet.campaign.pk])
    response = client.get(url)
    assert response.context["form"].initial["min_gift_value"] == "500.000"
    data = {
        "kind": "tet",
        "lunar_year": "2027",
        "name": tet.campaign.name,
        "area": "relief",
        "starts_on": "01/11/2026",
        "ends_on": "30/01/2027",
        "groups": ["poor", "near_poor"],
        "gift_rule": "household",
        "min_gift_value": "600.000",
        "description": "Mỗi suất 600.000 đ",
    }
    assert client.post(url, data).status_code == 302
    tet.campaign.refresh_from_db()
    assert tet.campaign.min_gift_value == 600_000
    login(client, people.clerk)
    assert client.get(url).status_code == 404  # launched above the clerk's unit: read-only
    assert client.post(reverse("campaign_launch", args=[tet.campaign.pk])).status_code == 404


# --- The campaign page ---------------------------------------------------------------------------


def test_campaign_page_shows_progress_groups_sources_coverage_and_chart_data(
    client, tree, people, tet
):
    from nhandao.campaigns import services

    services.targets_split(
        actor=actor(people.hn_officer),
        campaign=tet.campaign,
        parent=tree.hanoi,
        metric="gifts",
        total=30,
    )
    _give(people, tet.campaign, tet.an, day=20)
    _give(people, tet.campaign, tet.cuc, day=21)
    login(client, people.hn_officer)
    response = client.get(reverse("campaign_detail", args=[tet.campaign.pk]))
    assert response.status_code == 200
    report = response.context["report"]
    total = report.total
    gifts = report.metrics.index("gifts")
    assert (total.cells[gifts].target, total.cells[gifts].result) == (30, 2)
    assert report.coverage.eligible == 3 and report.coverage.covered == 2
    by_group = {g.code: g.gifts for g in report.groups}
    assert by_group["poor"] == 2 and by_group["near_poor"] == 0
    assert [s.code for s in report.sources] == ["campaign"]
    charts = response.context["charts"]
    assert charts["days"]["labels"] == ["20/11/2026", "21/11/2026"]
    assert charts["days"]["cumulative"] == [1, 2]
    assert sorted(charts["units"]["target"]) == [10, 20]
    html = response.content.decode()
    assert 'id="campaign-charts"' in html and "chart.umd.min.js" in html
    payload = html.split('id="campaign-charts" type="application/json">')[1].split("</script>")[0]
    assert json.loads(payload)["units"]["result"]
    assert "1.000.000 đ" in html  # value in đồng, Vietnamese grouping


def test_commune_sees_its_own_part_and_drills_only_inside_its_scope(client, tree, people, tet):
    _give(people, tet.campaign, tet.cuc)  # Ba Đình
    login(client, people.clerk)
    url = reverse("campaign_detail", args=[tet.campaign.pk])
    response = client.get(url)
    assert response.context["unit"] == tree.hoan_kiem
    assert response.context["report"].coverage.covered == 0
    assert client.get(url, {"unit": tree.ba_dinh.pk}).status_code == 404
    assert client.get(url, {"unit": tree.vinh_linh.pk}).status_code == 404


def test_charts_are_served_from_our_own_static_files(client, people):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/chartjs/chart.umd.min.js")
    assert finders.find("campaigns/charts.js")


def test_good_example_is_recorded_from_the_campaign_page(client, tree, people, tet):
    login(client, people.clerk)
    url = reverse("campaign_example_add", args=[tet.campaign.pk])
    response = client.post(
        url, {"title": "Chi hội Tổ dân phố số 1 phủ kín hộ nghèo", "who": "Bà Lan"}
    )
    assert response.status_code == 302
    example = GoodExample.objects.get()
    assert example.unit == tree.hoan_kiem and example.recorded_by == people.clerk
    assert AuditEvent.objects.filter(
        object_type="campaigns.goodexample", object_id=str(example.pk)
    ).exists()
    page = client.get(reverse("campaign_detail", args=[tet.campaign.pk])).content.decode()
    assert "Chi hội Tổ dân phố số 1 phủ kín hộ nghèo" in page
    client.post(url, {"title": ""})
    assert GoodExample.objects.count() == 1


# --- Targets ------------------------------------------------------------------------------------


def test_targets_by_hand_and_the_do_not_sum_error(client, tree, people, tet):
    login(client, people.hn_officer)
    url = reverse("campaign_targets", args=[tet.campaign.pk]) + "?metric=gifts"
    response = client.get(url)
    table = response.context["table"]
    assert [row["unit"] for row in table] == [tree.hanoi, tree.ba_dinh, tree.hoan_kiem]
    assert [row["eligible"] for row in table] == [3, 1, 2]
    hn, hk, bd = (f"v-{u.pk}-gifts" for u in (tree.hanoi, tree.hoan_kiem, tree.ba_dinh))
    response = client.post(url, {"action": "set", hn: "10", hk: "6", bd: "5"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "cộng lại 11" in html and "là 10" in html
    assert not Target.objects.exists()  # nothing half-written
    assert 'value="6"' in html  # what was typed stays on the form
    response = client.post(url, {"action": "set", hn: "10", hk: "6", bd: "-4"})
    assert "bị âm" in response.content.decode() and not Target.objects.exists()
    response = client.post(url, {"action": "set", hn: "10", hk: "6", bd: "4"})
    assert response.status_code == 302
    values = {t.unit_id: t.value for t in Target.objects.all()}
    assert values == {tree.hanoi.pk: 10, tree.hoan_kiem.pk: 6, tree.ba_dinh.pk: 4}


def test_targets_split_in_proportion_to_eligible_households(client, tree, people, tet):
    login(client, people.hn_officer)
    url = reverse("campaign_targets", args=[tet.campaign.pk])
    response = client.post(url, {"action": "split", "metric": "value", "total": "3.000.000"})
    assert response.status_code == 302
    values = {t.unit_id: t.value for t in Target.objects.filter(metric="value")}
    assert values == {
        tree.hanoi.pk: 3_000_000,
        tree.hoan_kiem.pk: 2_000_000,
        tree.ba_dinh.pk: 1_000_000,
    }
    page = client.get(url + "?metric=value").content.decode()
    assert 'value="2.000.000"' in page


def test_a_commune_cannot_set_the_province_targets(client, tree, people, tet):
    login(client, people.clerk)
    url = reverse("campaign_targets", args=[tet.campaign.pk])
    response = client.get(url)
    assert response.context["unit"] == tree.hoan_kiem and not response.context["may_set"]
    key = f"v-{tree.hoan_kiem.pk}-gifts"
    response = client.post(url, {"action": "set", key: "5"})
    assert "không có quyền" in response.content.decode()
    assert not Target.objects.exists()


# --- Coverage -----------------------------------------------------------------------------------


def test_coverage_lists_laggards_first_and_drills_down_to_the_uncovered_list(
    client, tree, people, tet
):
    _give(people, tet.campaign, tet.cuc)  # Ba Đình fully covered
    login(client, people.hn_officer)
    url = reverse("campaign_coverage", args=[tet.campaign.pk])
    response = client.get(url)
    rows = response.context["coverage"].rows
    assert [r.unit for r in rows] == [tree.hoan_kiem, tree.ba_dinh]
    assert "page" not in response.context  # the province sees communes, not households
    response = client.get(url, {"unit": tree.hoan_kiem.pk})
    names = [p.full_name for p, _groups in response.context["rows"]]
    assert names == ["Nguyễn Văn An", "Lê Văn Bình"]  # by given name; one line per household
    _give(people, tet.campaign, tet.an_wife)
    response = client.get(url, {"unit": tree.hoan_kiem.pk})
    assert [p.full_name for p, _g in response.context["rows"]] == ["Lê Văn Bình"]
    assert response.context["rows"][0][1] == ["Hộ cận nghèo"]


def test_coverage_queries_do_not_grow_with_rows(
    client, tree, people, tet, register, django_assert_max_num_queries
):
    login(client, people.hn_officer)
    url = reverse("campaign_coverage", args=[tet.campaign.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url, {"unit": tree.hoan_kiem.pk})
    for given in [
        "An",
        "Bảo",
        "Cường",
        "Dũng",
        "Giang",
        "Hải",
        "Khánh",
        "Long",
        "Minh",
        "Nam",
        "Phúc",
        "Quang",
    ]:
        register(f"Hoàng Văn {given}", groups=["poor", "lonely_elderly"], birth="1960")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"unit": tree.hoan_kiem.pk})
    assert response.context["page"].paginator.count == 14
    with django_assert_max_num_queries(40):
        client.get(url)


def test_uncovered_print_has_the_official_layout_and_masks_ids_without_pii_view(
    client, tree, people, tet, register
):
    register("Đinh Thị Hoa", groups=["poor"], birth="1955", id_number="001155012345")
    login(client, people.clerk)  # data entry: no pii.view
    response = client.get(reverse("campaign_uncovered_print", args=[tet.campaign.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "DANH SÁCH HỘ CHƯA ĐƯỢC HỖ TRỢ" in html and "Đã nhận (ký)" in html
    assert "TM. BAN THƯỜNG VỤ" in html and "HỘI CHỮ THẬP ĐỎ PHƯỜNG HOÀN KIẾM" in html
    assert "001155012345" not in html and "0011******45" in html
    assert timezone.localdate().strftime("%d/%m/%Y") in html
    assert "Đinh Thị Hoa" in html and "1955" in html
    login(client, people.hn_officer)
    url = reverse("campaign_uncovered_print", args=[tet.campaign.pk])
    html = client.get(url, {"unit": tree.hoan_kiem.pk}).content.decode()
    assert "001155012345" in html


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_loads_the_running_campaigns_of_the_unit(client, tree, people, register):
    register("Nguyễn Văn An", groups=["poor"], birth="1950")
    register("Phạm Thị Cúc", unit=tree.ba_dinh, groups=["poor"], birth="1945")
    today = timezone.localdate()
    make_campaign(
        people,
        tree,
        kind="custom",
        lunar_year=None,
        name="Xuân yêu thương",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=20),
    )
    login(client, people.clerk)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("campaign_dashboard_widget") in dashboard
    fragment = client.get(reverse("campaign_dashboard_widget")).content.decode()
    assert "Xuân yêu thương" in fragment and "<html" not in fragment
    assert "Còn <strong>1</strong>/1 hộ thuộc diện chưa được hỗ trợ" in fragment  # Hoàn Kiếm's
    login(client, people.outsider)
    assert (
        "Xuân yêu thương" not in client.get(reverse("campaign_dashboard_widget")).content.decode()
    )


def test_split_leaves_out_sub_units_no_longer_active(client, tree, people, tet):
    from nhandao.orgs import services as orgs
    from nhandao.orgs.models import Unit, UnitKind

    merged = orgs.unit_bulk_add_children(
        parent=tree.hanoi, units=[Unit(name="Hội Chữ thập đỏ phường Cũ", kind=UnitKind.COMMUNE)]
    )[0]
    Unit.objects.filter(pk=merged.pk).update(is_active=False)
    login(client, people.hn_officer)
    url = reverse("campaign_targets", args=[tet.campaign.pk])
    assert merged not in [row["unit"] for row in client.get(url).context["table"]]
    client.post(url, {"action": "split", "metric": "gifts", "total": "31"})
    values = {t.unit_id: t.value for t in Target.objects.filter(metric="gifts")}
    assert values == {tree.hanoi.pk: 31, tree.hoan_kiem.pk: 21, tree.ba_dinh.pk: 10}


def test_campaign_page_queries_do_not_grow_with_gifts_or_examples(
    client, tree, people, tet, django_assert_max_num_queries
):
    from nhandao.campaigns import services

    login(client, people.hn_officer)
    url = reverse("campaign_detail", args=[tet.campaign.pk])
    _give(people, tet.campaign, tet.an, day=20)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for person, day in ((tet.binh, 21), (tet.cuc, 22)):
        _give(people, tet.campaign, person, day=day)
    for title in ("Tủ quà nhân ái", "Bữa cơm yêu thương"):
        services.example_record(
            actor=actor(people.hn_officer), campaign=tet.campaign, unit=tree.hanoi, title=title
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["report"].examples) == 2


def test_split_without_a_total_says_so(client, tree, people, tet):
    login(client, people.hn_officer)
    url = reverse("campaign_targets", args=[tet.campaign.pk])
    response = client.post(url, {"action": "split", "metric": "gifts", "total": ""})
    assert "Chưa nhập tổng chỉ tiêu cần chia." in response.content.decode()
    response = client.post(url, {"action": "split", "metric": "gifts", "total": "-30"})
    assert "không được âm" in response.content.decode()
    assert not Target.objects.exists()
