"""URLs of the donors', donations', receipts' and pledges' pages (included by funds/urls.py)."""

from django.urls import path

from . import views_donations as v

urlpatterns: list = [
    # donors
    path("donors/", v.donor_list, name="donor_list"),
    path("donors/export.xlsx", v.donor_export, name="donor_export"),
    path("donors/new/", v.donor_create, name="donor_create"),
    path("donors/search/", v.donor_search, name="donor_search"),
    path("donors/duplicates/", v.donor_duplicates, name="donor_duplicates"),
    path("donors/duplicates/<int:pk>/<int:other>/", v.donor_pair, name="donor_pair"),
    path("donors/<int:pk>/", v.donor_detail, name="donor_detail"),
    path("donors/<int:pk>/edit/", v.donor_edit, name="donor_edit"),
    path("donors/<int:pk>/contacts/", v.donor_contact_add, name="donor_contact_add"),
    path(
        "donors/<int:pk>/contacts/<int:contact_id>/remove/",
        v.donor_contact_remove,
        name="donor_contact_remove",
    ),
    path("donors/<int:pk>/thanks/<int:year>.docx", v.donor_thanks_year, name="donor_thanks_year"),
    # donations
    path("donations/", v.donation_list, name="donation_list"),
    path("donations/export.xlsx", v.donation_export, name="donation_export"),
    path("donations/new/", v.donation_create, name="donation_create"),
    path("donations/pledges/", v.donation_pledge_options, name="donation_pledge_options"),
    path(
        "donations/beneficiaries/",
        v.donation_beneficiary_search,
        name="donation_beneficiary_search",
    ),
    path("donations/<int:pk>/", v.donation_detail, name="donation_detail"),
    path("donations/<int:pk>/reverse/", v.donation_reverse, name="donation_reverse"),
    path("donations/<int:pk>/thanks.docx", v.donation_thanks, name="donation_thanks"),
    # receipts (one per donation, addressed by the donation)
    path("donations/<int:pk>/receipt/", v.receipt_print, name="receipt_print"),
    path("donations/<int:pk>/receipt.docx", v.receipt_docx, name="receipt_docx"),
    path("donations/<int:pk>/receipt.pdf", v.receipt_pdf, name="receipt_pdf"),
    path("donations/<int:pk>/receipt/issue/", v.receipt_issue, name="receipt_issue"),
    path("donations/<int:pk>/receipt/email/", v.receipt_email, name="receipt_email"),
    # pledges
    path("pledges/", v.pledge_list, name="pledge_list"),
    path("pledges/new/", v.pledge_create, name="pledge_create"),
    path("pledges/reminders/", v.pledge_reminders, name="pledge_reminders"),
    path("pledges/instalments/<int:pk>/remind/", v.pledge_remind, name="pledge_remind"),
    path("pledges/<int:pk>/", v.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/pay/", v.pledge_pay, name="pledge_pay"),
    path("pledges/<int:pk>/cancel/", v.pledge_cancel, name="pledge_cancel"),
]
