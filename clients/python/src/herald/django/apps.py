from django.apps import AppConfig


class HeraldConfig(AppConfig):
    name = "herald.django"
    # Not "django", the last part of the name: that would read as Django's own.
    label = "herald"
    verbose_name = "Herald"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
