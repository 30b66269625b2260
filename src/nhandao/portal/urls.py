"""The public disclosure site under /cong-khai/ (no login), and a sponsor's private link."""

from . import urls_public, urls_sponsor

urlpatterns = [*urls_public.urlpatterns, *urls_sponsor.urlpatterns]
