"""Routes of the members, youth and agency-branch pages (volunteers, staff and applications are
added by their own modules)."""

from django.urls import include, path

from . import views

urlpatterns: list = [
    path("", views.member_dashboard, name="member_dashboard"),
    path("list/", views.member_list, name="member_list"),
    path("list/export.xlsx", views.member_export, name="member_export"),
    path("new/", views.member_create, name="member_create"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/card/", views.member_card, name="member_card"),
    path("<int:pk>/card/issue/", views.member_card_issue, name="member_card_issue"),
    path("<int:pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/dues/", views.member_dues, name="member_dues"),
    path("<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("units/<int:pk>/transfer/", views.unit_members_transfer, name="unit_members_transfer"),
    path("agencies/", views.agency_list, name="member_agency_list"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/youth/new/", views.youth_create, name="youth_create"),
    path("schools/<int:pk>/youth/export.xlsx", views.youth_export, name="youth_export"),
    path("schools/<int:pk>/promote/", views.youth_promote, name="youth_promote"),
    path(
        "schools/<int:pk>/activities/new/",
        views.youth_activity_create,
        name="youth_activity_create",
    ),
    path("", include("nhandao.members.urls_volunteers")),
]
