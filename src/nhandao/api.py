"""The API root: /api/v1/, its OpenAPI schema, and a docs page served from our own static files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from nhandao.aid.api import router as aid_router
from nhandao.beneficiaries.api import router as beneficiaries_router
from nhandao.blood.api import router as blood_router
from nhandao.campaigns.api import router as campaigns_router
from nhandao.core.errors import ApplicationError
from nhandao.funds.api_donations import router as donations_router
from nhandao.funds.api_funds import router as funds_router
from nhandao.funds.api_sponsorships import router as sponsorships_router
from nhandao.funds.api_statements import router as statements_router
from nhandao.members.api import router as members_router
from nhandao.members.api_volunteers import router as volunteers_router
from nhandao.orgs.api import router as orgs_router
from nhandao.orgs.permissions import needs_second_factor
from nhandao.orgs.services import token_authenticate
from nhandao.training.api import router as training_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_authenticate(token)


class VerifiedSession(SessionAuth):
    """The signed-in browser session; admins must have passed the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.NHANDAO_REQUIRE_2FA and not user.is_verified() and needs_second_factor(user):
            return None
        return user


api = NinjaAPI(
    title="nhandao API",
    version="1",
    description="API của hệ thống quản lý Hội Chữ thập đỏ Việt Nam.",
    auth=[BearerToken(), VerifiedSession()],
    urls_namespace="api-v1",
)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Không tìm thấy."}, status=404)


api.add_router("/", orgs_router)
api.add_router("/", beneficiaries_router)
api.add_router("/", campaigns_router)
api.add_router("/", aid_router)
api.add_router("/", blood_router)
api.add_router("/", members_router)
api.add_router("/", volunteers_router)
api.add_router("/", training_router)
api.add_router("/", funds_router)
api.add_router("/", donations_router)
api.add_router("/", statements_router)
api.add_router("/", sponsorships_router)
