from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("templates/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("<int:pk>/revalidate/", views.import_revalidate, name="import_revalidate"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("<int:pk>/workbook/", views.import_workbook, name="import_workbook"),
    path(
        "<int:pk>/workbook/progress/",
        views.import_workbook_progress,
        name="import_workbook_progress",
    ),
]
