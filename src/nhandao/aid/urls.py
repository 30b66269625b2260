from django.urls import include, path

from . import views

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/login/", views.partner_login_create, name="partner_login_create"),
    path("distributions/", views.distribution_list, name="distribution_list"),
    path("distributions/new/", views.distribution_create, name="distribution_create"),
    path("distributions/<int:pk>/", views.distribution_detail, name="distribution_detail"),
    path("distributions/<int:pk>/status/", views.distribution_status, name="distribution_status"),
    path("distributions/<int:pk>/search/", views.planned_search, name="planned_search"),
    path("distributions/<int:pk>/add/", views.planned_add, name="planned_add"),
    path(
        "distributions/<int:pk>/lines/<int:line_id>/remove/",
        views.planned_remove,
        name="planned_remove",
    ),
    path("distributions/<int:pk>/sheet/", views.distribution_sheet, name="distribution_sheet"),
    path("distributions/<int:pk>/record/", views.distribution_record, name="distribution_record"),
    path("distributions/<int:pk>/lookup/", views.distribution_lookup, name="distribution_lookup"),
    path("distributions/<int:pk>/tick/", views.distribution_tick, name="distribution_tick"),
    path("records/", views.aid_list, name="aid_list"),
    path("records/export.xlsx", views.aid_export, name="aid_export"),
    path("records/<int:pk>/", views.aid_detail, name="aid_detail"),
    path("records/<int:pk>/photo/", views.aid_photo, name="aid_photo"),
    path("", include("nhandao.aid.urls_vouchers")),  # fairs and vouchers
]
