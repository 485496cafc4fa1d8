"""The ASGI entry point for servers (`granian comptoir.api.asgi:app`): settings from the
environment (`COMPTOIR_DATABASE_URL`, `COMPTOIR_INSTANCE`, ...)."""

from comptoir.api.app import create_app
from comptoir.config import Settings

app = create_app(Settings.from_env())
