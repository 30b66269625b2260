"""All funds pages under /funds/: funds and the ledger, donors and donations, statements,
sponsorships. Each area keeps its own URL module."""

from . import urls_donations, urls_funds, urls_sponsorships, urls_statements

urlpatterns = [
    *urls_funds.urlpatterns,
    *urls_donations.urlpatterns,
    *urls_statements.urlpatterns,
    *urls_sponsorships.urlpatterns,
]
