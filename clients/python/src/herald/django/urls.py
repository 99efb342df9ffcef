"""`path("herald/", include("herald.django.urls"))`: the bell's token view,
named `herald:token`."""

from django.urls import path

from . import views

app_name = "herald"
urlpatterns = [path("token", views.token, name="token")]
