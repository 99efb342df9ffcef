from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "item", "customer", "status", "created_at"]
    list_filter = ["status"]
    actions = ["mark_shipped"]

    @admin.action(description="Mark selected orders shipped")
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        # One save() each, not queryset.update(): update() sends no post_save.
        for order in queryset.exclude(status=Order.Status.SHIPPED):
            order.status = Order.Status.SHIPPED
            order.save()

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("customer")
