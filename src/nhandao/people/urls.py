from django.urls import path

from . import views

urlpatterns = [
    path("persons/<int:person_pk>/household/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/members/", views.household_member, name="household_member"),
]
