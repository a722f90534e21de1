from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tooling for development only (the catalogue generator and the benchmarks); the
    production settings leave it out."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devtools"
