"""Routes of the training pages (mounted at /training/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.training_home, name="training_home"),
    path("plans/", views.training_plan_list, name="training_plan_list"),
    path("courses/new/", views.training_course_create, name="training_course_create"),
    path("courses/<int:pk>/", views.training_course_detail, name="training_course_detail"),
    path(
        "courses/<int:pk>/participants/add/",
        views.training_participant_add,
        name="training_participant_add",
    ),
    path(
        "participants/<int:pk>/", views.training_participant_edit, name="training_participant_edit"
    ),
    path(
        "participants/<int:pk>/certificate/",
        views.training_certificate,
        name="training_certificate",
    ),
    path("verify/", views.training_certificate_verify, name="training_certificate_verify"),
    path("people/<int:person_id>/", views.training_person, name="training_person"),
    path("stats/", views.training_stats, name="training_stats"),
    path("expiring/", views.training_expiring, name="training_expiring"),
    path("expiring/export.xlsx", views.training_expiring_export, name="training_expiring_export"),
]
