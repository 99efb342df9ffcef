"""A client for Herald's integration API (`/api/v1`).

    import herald

    with herald.Client("https://herald.example.com", api_key) as client:
        client.send("Your order shipped", external_ids=["django:42"],
                    idempotency_key="order-7-shipped")
"""

from ._client import AsyncClient, AsyncTokenClient, Client, TokenClient
from ._core import __version__
from ._errors import (
    AuthenticationError,
    ConflictError,
    FieldError,
    HeraldError,
    NotFoundError,
    ProblemError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnavailableError,
    ValidationError,
)
from ._models import (
    Action,
    Broadcast,
    Scheduled,
    SendStatus,
    Subscriber,
    Subscribers,
    CategoryPreference,
    ConnectionToken,
    Notification,
    NotificationAction,
    Page,
    PreferenceChange,
    Preferences,
    Sent,
    SentNotification,
    Unread,
    View,
)

__all__ = [
    "Action",
    "AsyncClient",
    "AsyncTokenClient",
    "AuthenticationError",
    "Broadcast",
    "Scheduled",
    "SendStatus",
    "Subscriber",
    "Subscribers",
    "CategoryPreference",
    "Client",
    "ConflictError",
    "ConnectionToken",
    "FieldError",
    "HeraldError",
    "Notification",
    "NotificationAction",
    "NotFoundError",
    "Page",
    "PreferenceChange",
    "Preferences",
    "ProblemError",
    "RateLimitedError",
    "Sent",
    "SentNotification",
    "ServerError",
    "TokenClient",
    "TransportError",
    "UnavailableError",
    "Unread",
    "ValidationError",
    "View",
    "__version__",
]
