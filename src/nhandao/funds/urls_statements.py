"""URLs of the statements pages (included by funds/urls.py under /funds/)."""

from django.urls import path

from . import views_statements as views

urlpatterns: list = [
    path("<int:fund_id>/statements/", views.statement_list, name="statement_list"),
    path(
        "<int:fund_id>/statements/uploads/<str:token>/",
        views.statement_pending,
        name="statement_pending",
    ),
    path("<int:fund_id>/statements/queue/", views.statement_queue, name="statement_queue"),
    path(
        "<int:fund_id>/statements/queue/record/",
        views.statement_queue_record,
        name="statement_queue_record",
    ),
    path("<int:fund_id>/statements/rematch/", views.statement_rematch, name="statement_rematch"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path(
        "statements/lines/<int:pk>/match/", views.statement_line_match, name="statement_line_match"
    ),
    path(
        "statements/lines/<int:pk>/record/",
        views.statement_line_record,
        name="statement_line_record",
    ),
    path(
        "statements/lines/<int:pk>/ignore/",
        views.statement_line_ignore,
        name="statement_line_ignore",
    ),
    path(
        "statements/lines/<int:pk>/unmatch/",
        views.statement_line_unmatch,
        name="statement_line_unmatch",
    ),
]
