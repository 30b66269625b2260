from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("running/", views.campaign_dashboard_widget, name="campaign_dashboard_widget"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/freeze/", views.campaign_freeze, name="campaign_freeze"),
    path(
        "<int:pk>/freeze/progress/", views.campaign_freeze_progress, name="campaign_freeze_progress"
    ),
    path("<int:pk>/freeze/cancel/", views.campaign_freeze_cancel, name="campaign_freeze_cancel"),
    path("<int:pk>/examples/", views.campaign_example_add, name="campaign_example_add"),
    path("<int:pk>/targets/", views.campaign_targets, name="campaign_targets"),
    path("<int:pk>/coverage/", views.campaign_coverage, name="campaign_coverage"),
    path(
        "<int:pk>/summary/refresh/",
        views.campaign_summary_refresh,
        name="campaign_summary_refresh",
    ),
    path(
        "<int:pk>/coverage/print/", views.campaign_uncovered_print, name="campaign_uncovered_print"
    ),
    path("<int:pk>/report.xlsx", views.campaign_report_xlsx, name="campaign_report_xlsx"),
    path("<int:pk>/report.docx", views.campaign_report_docx, name="campaign_report_docx"),
]
