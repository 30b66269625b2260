"""URLs of the funds, appeals and ledger pages (included by funds/urls.py under /funds/)."""

from django.urls import path

from . import views_funds as v

urlpatterns = [
    path("", v.fund_home, name="fund_home"),
    path("appeals/new/", v.appeal_create, name="appeal_create"),
    path("<int:pk>/", v.fund_detail, name="fund_detail"),
    path("<int:pk>/extend/", v.appeal_extend, name="appeal_extend"),
    path("<int:pk>/close/", v.appeal_close, name="appeal_close"),
    path("<int:pk>/documents/new/", v.fund_document_add, name="fund_document_add"),
    path("documents/<int:pk>/", v.fund_document, name="fund_document"),
    path("<int:pk>/ledger/", v.entry_list, name="entry_list"),
    path("<int:pk>/ledger.xlsx", v.entry_export, name="entry_export"),
    path("<int:pk>/allocate/", v.fund_allocate, name="fund_allocate"),
    path("<int:pk>/transfer/", v.fund_transfer, name="fund_transfer"),
    path("<int:pk>/spend/", v.fund_spend, name="fund_spend"),
    path("<int:pk>/annual/", v.fund_annual, name="fund_annual"),
    path("<int:pk>/annual.xlsx", v.fund_annual_xlsx, name="fund_annual_xlsx"),
    path("<int:pk>/annual.docx", v.fund_annual_docx, name="fund_annual_docx"),
    path("entries/<int:pk>/", v.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reverse/", v.entry_reverse, name="entry_reverse"),
]
