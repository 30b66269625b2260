"""Scope registrations of the campaign pages and API paths (see tests/scope_registry.py)."""

from __future__ import annotations

from typing import Any

from tests.scope_registry import register, register_api  # noqa: F401


def _qt_campaign(tree: Any, people: Any) -> Any:
    """A Tết Nhân ái launched by Quảng Trị: outside the Hà Nội subtree, and not above it."""
    from nhandao.campaigns import services as campaigns
    from nhandao.orgs.models import User

    officer = User.objects.get(pk=people.outsider.pk)
    data = campaigns.CampaignData(kind="tet", lunar_year=2027, groups=["poor"])
    campaign = campaigns.campaign_create(actor=officer, unit=tree.quang_tri, data=data)
    return campaigns.campaign_launch(actor=officer, campaign=campaign)


@register(
    "campaign_detail",
    "campaign_edit",
    "campaign_launch",
    "campaign_close",
    "campaign_freeze",
    "campaign_freeze_progress",
    "campaign_freeze_cancel",
    "campaign_example_add",
    "campaign_targets",
    "campaign_coverage",
    "campaign_summary_refresh",
    "campaign_uncovered_print",
    "campaign_report_xlsx",
    "campaign_report_docx",
)
def _campaign(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_campaign(tree, people).pk}
