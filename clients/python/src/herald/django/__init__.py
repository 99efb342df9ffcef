"""Herald in a Django project.

    # settings.py
    INSTALLED_APPS = [..., "herald.django"]
    HERALD_URL = "https://herald.example.com"
    HERALD_API_KEY = os.environ["HERALD_API_KEY"]

    # urls.py
    path("herald/", include("herald.django.urls")),   # the bell's token view

    # a post_save receiver
    herald.django.notify(order.customer, "Your order shipped", cause=(order, "shipped"))
    herald.django.notify_topic(f"post:{post.pk}", f"{c.author} commented",
                               exclude=c.author, group_key=f"post:{post.pk}:comments",
                               cause=(c, "posted"))

    # a template
    {% load herald %}{% herald_bell %}

`notify` sends after the current transaction commits, once per cause;
`manage.py herald_check` checks the settings against the running Herald.
Needs Django (`pip install "herald-client[django]"`); `import herald`
alone does not.
"""

try:
    import django  # noqa: F401
except ImportError as error:  # pragma: no cover
    raise ImportError('herald.django needs Django: pip install "herald-client[django]"') from error

from ._notify import Cause, notify, notify_topic
from .conf import external_id, get_client

__all__ = ["Cause", "external_id", "get_client", "notify", "notify_topic"]
