from django.urls import path

from . import views

urlpatterns = [
    path("", views.linkage_home, name="linkage_home"),
    path("runs/<int:pk>/progress/", views.linkage_progress, name="linkage_progress"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("pairs/decide/", views.pairs_bulk, name="pairs_bulk"),
    path("households/", views.household_pairs, name="household_pairs"),
    path("households/decide/", views.household_pairs_bulk, name="household_pairs_bulk"),
    path("households/<int:pk>/", views.household_pair_detail, name="household_pair_detail"),
]
