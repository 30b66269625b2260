from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("beneficiaries/", include("nhandao.beneficiaries.urls")),
    path("imports/", include("nhandao.imports.urls")),
    path("people/", include("nhandao.people.urls")),
    path("duplicates/", include("nhandao.linkage.urls")),
    path("campaigns/", include("nhandao.campaigns.urls")),
    path("aid/", include("nhandao.aid.urls")),
    path("blood/", include("nhandao.blood.urls")),
    path("members/", include("nhandao.members.urls")),
    path("training/", include("nhandao.training.urls")),
    path("funds/", include("nhandao.funds.urls")),
    path("cong-khai/", include("nhandao.portal.urls")),
    path("tham-gia/", include("nhandao.members.urls_public")),
    path("", include("nhandao.orgs.urls")),
]
