"""Routes of the donors', sessions', honours', reminders', pledges' and statistics pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("donors/", views.blood_donor_list, name="blood_donor_list"),
    path("donors/export.xlsx", views.blood_donor_export, name="blood_donor_export"),
    path("donors/<int:pk>/", views.blood_donor_detail, name="blood_donor_detail"),
    path("donors/<int:pk>/edit/", views.blood_donor_edit, name="blood_donor_edit"),
    path("sessions/", views.blood_session_list, name="blood_session_list"),
    path("sessions/new/", views.blood_session_create, name="blood_session_create"),
    path("sessions/<int:pk>/", views.blood_session_detail, name="blood_session_detail"),
    path("sessions/<int:pk>/edit/", views.blood_session_edit, name="blood_session_edit"),
    path(
        "sessions/<int:pk>/register/", views.blood_session_register, name="blood_session_register"
    ),
    path(
        "sessions/<int:pk>/registrations/<int:registration_id>/remove/",
        views.blood_registration_remove,
        name="blood_registration_remove",
    ),
    path("honours/", views.blood_honour_list, name="blood_honour_list"),
    path("honours/export/", views.blood_honour_export, name="blood_honour_export"),
    path("honours/<int:pk>/award/", views.blood_honour_award, name="blood_honour_award"),
    path("reminders/", views.blood_reminder_list, name="blood_reminder_list"),
    path("reminders/export/", views.blood_reminder_export, name="blood_reminder_export"),
    path("pledges/", views.blood_pledge_list, name="blood_pledge_list"),
    path("pledges/new/<int:person_id>/", views.blood_pledge_create, name="blood_pledge_create"),
    path("pledges/<int:pk>/withdraw/", views.blood_pledge_withdraw, name="blood_pledge_withdraw"),
    path("stats/", views.blood_stats, name="blood_stats"),
    path("stats/export.xlsx", views.blood_stats_export, name="blood_stats_export"),
]
