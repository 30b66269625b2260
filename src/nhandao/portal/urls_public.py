"""Public URLs (public): the disclosure site under /cong-khai/, no login."""

from django.urls import path, re_path

from . import views

CODE = r"(?P<code>[A-Za-z0-9]{2,16})"

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    re_path(rf"^{CODE}/$", views.portal_fund, name="portal_fund"),
    re_path(rf"^{CODE}/danh-sach/$", views.portal_donations, name="portal_donations"),
    re_path(rf"^{CODE}/danh-sach\.csv$", views.portal_donations_csv, name="portal_donations_csv"),
    re_path(
        rf"^{CODE}/danh-sach\.xlsx$", views.portal_donations_xlsx, name="portal_donations_xlsx"
    ),
    re_path(rf"^{CODE}/qr\.svg$", views.portal_qr, name="portal_qr"),
    re_path(rf"^{CODE}/ap-phich/$", views.portal_poster, name="portal_poster"),
    re_path(
        rf"^{CODE}/van-ban/(?P<pk>[0-9]{{1,18}})/$", views.portal_document, name="portal_document"
    ),
    re_path(
        rf"^{CODE}/bao-cao/(?P<year>[0-9]{{4}})/$", views.portal_statement, name="portal_statement"
    ),
    re_path(rf"^{CODE}/ung-ho/$", views.portal_give, name="portal_give"),
    re_path(
        rf"^{CODE}/ung-ho/(?P<reference>[A-Za-z0-9]{{4,20}})/$",
        views.portal_give_qr,
        name="portal_give_qr",
    ),
]
