from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SHIPPED = "shipped", "Shipped"

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders")
    item = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    # The status as last loaded or saved, so that a receiver can tell the
    # change to "shipped" from a later save of a shipped order.
    saved_status: str | None = None

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Order #{self.pk}: {self.item}"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Order:
        order = super().from_db(db, field_names, values)
        order.saved_status = order.status
        return order

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)  # post_save receivers run in here
        self.saved_status = self.status
