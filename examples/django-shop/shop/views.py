from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/orders.html", {"orders": request.user.orders.all()})
