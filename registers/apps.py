from django.apps import AppConfig


class RegistersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registers"
    verbose_name = "Licensing registers"
