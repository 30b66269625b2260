"""Routes of the volunteers', teams', rules', staff and applications' pages (under /members/)."""

from django.urls import path

from . import views_volunteers as views

urlpatterns = [
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/export.xlsx", views.volunteer_export, name="volunteer_export"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/match/", views.volunteer_match, name="volunteer_match"),
    path("volunteers/rules/", views.rule_list, name="volunteer_rules"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/hours/", views.volunteer_hours, name="volunteer_hours"),
    path("volunteers/<int:pk>/teams/", views.volunteer_team_add, name="volunteer_team_add"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path(
        "teams/<int:pk>/members/<int:membership_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/confirm/", views.application_confirm, name="application_confirm"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
]
