"""Tell the customer when their order ships."""

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

import herald.django

from .models import Order


@receiver(post_save, sender=Order)
def order_shipped(sender: type[Order], instance: Order, **kwargs: Any) -> None:
    if instance.status != Order.Status.SHIPPED or instance.saved_status == Order.Status.SHIPPED:
        return
    # Sent after the save commits, never for one rolled back; and once per
    # (order, "shipped"), even if two staff ship the order at the same time.
    herald.django.notify(
        instance.customer,
        f"Your order #{instance.pk} shipped",
        body=f"{instance.item} is on its way.",
        link=f"{settings.SHOP_URL}/#order-{instance.pk}",
        category="success",
        actor="Django Shop",
        cause=(instance, "shipped"),
    )
