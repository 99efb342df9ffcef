from django.contrib import admin
from django.urls import include, path

from shop import views

urlpatterns = [
    path("", views.orders, name="orders"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # The bell's token view: /herald/token.
    path("herald/", include("herald.django.urls")),
]
