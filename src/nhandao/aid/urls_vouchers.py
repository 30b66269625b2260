"""Routes of the fairs and their vouchers (included from aid/urls.py)."""

from django.urls import path

from . import views_vouchers as v

urlpatterns = [
    path("fairs/", v.fair_list, name="fair_list"),
    path("fairs/new/", v.fair_create, name="fair_create"),
    path("fairs/<int:pk>/", v.fair_detail, name="fair_detail"),
    path("fairs/<int:pk>/stalls/", v.stall_add, name="stall_add"),
    path("fairs/<int:pk>/issue/", v.voucher_issue, name="voucher_issue"),
    path("fairs/<int:pk>/sheet/", v.voucher_sheet, name="voucher_sheet"),
    path("fairs/<int:pk>/stalls/<int:stall_pk>/redeem/", v.voucher_redeem, name="voucher_redeem"),
    path("fairs/<int:pk>/reconcile/", v.fair_reconcile, name="fair_reconcile"),
    path("fairs/<int:pk>/reconcile.xlsx", v.fair_reconcile_export, name="fair_reconcile_export"),
    path("vouchers/<int:pk>/void/", v.voucher_void, name="voucher_void"),
]
