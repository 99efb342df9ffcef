"""`manage.py shop_demo`: a customer with two orders and a staff member who
may ship them. Run again, it resets their passwords and changes nothing else."""

from typing import Any

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand

from shop.models import Order

CUSTOMER = ("carol", "carol-password")
STAFF = ("sam", "sam-password")


class Command(BaseCommand):
    help = "Creates the demo customer (carol) and staff member (sam)."

    def handle(self, *args: Any, **options: Any) -> None:
        customer = self.user(*CUSTOMER)
        staff = self.user(*STAFF, is_staff=True)
        staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "change_order"]))
        if not customer.orders.exists():
            Order.objects.create(customer=customer, item="A pair of walking boots")
            Order.objects.create(customer=customer, item="A rain jacket")
        self.stdout.write(f"customer {CUSTOMER[0]} / {CUSTOMER[1]}; staff {STAFF[0]} / {STAFF[1]} (Django admin)")

    def user(self, username: str, password: str, **fields: Any) -> User:
        user, _ = User.objects.update_or_create(username=username, defaults=fields)
        user.set_password(password)
        user.save()
        return user
