"""Settings, declared once: name, default and help.  The CLI derives its flags from them
and every setting has an environment fallback `COMPTOIR_<NAME>`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


def _parse(name: str, default: Any, text: str) -> Any:
    if not isinstance(default, int | float):
        return text
    try:
        return type(default)(text)
    except ValueError:
        raise ValueError(f"COMPTOIR_{name.upper()}: not a number: {text!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting("sqlite:///comptoir.db", "database URL (sqlite:///file.db or postgresql://user@host:5432/db)")
    instance: str = _setting("demo", "instance name: the API is served under /<instance>/")
    host: str = _setting("127.0.0.1", "address to listen on")
    port: int = _setting(8000, "port to listen on")
    database_wait: float = _setting(10.0, "seconds a request waits for a database connection (PostgreSQL pool, SQLite writer) before it is answered 503 with Retry-After")
    max_body_bytes: int = _setting(1024 * 1024, "largest accepted request body (bytes)")
    max_file_bytes: int = _setting(32 * 1024 * 1024, "largest accepted body carrying file content (bytes)")
    token_days: int = _setting(100, "default lifetime of login tokens (days)")
    secret_key: str = _setting("", "key sealing the webservice access keys: urlsafe base64 of 32 bytes (default: read from secret_key_file)")
    secret_key_file: str = _setting("comptoir.key", "file holding the key when secret_key is empty; created (mode 0600) with a random key if missing")
    webhook_worker: int = _setting(1, "1: `comptoir serve` runs a webhook delivery worker in-process; 0: only `comptoir worker` delivers")
    webhook_allowed_networks: str = _setting("", "comma-separated CIDRs webhooks may reach although private, loopback or reserved (for example 127.0.0.0/8,::1/128)")
    webhook_retry_delays: str = _setting("5,300,1800,7200,18000,36000,50400,72000,86400", "seconds a failed webhook delivery waits after its 1st, 2nd... failure (one attempt more than delays)")
    webhook_timeout: float = _setting(15.0, "seconds a webhook receiver has to answer")
    webhook_retention_days: int = _setting(30, "days outbox events are kept (with their deliveries and attempts) once delivered; 0 keeps them all. The last event of each record and events still being delivered stay")
    deletion_retention_days: int = _setting(90, "days the deletion log keeps a deleted record (what webservice sync reports as deleted); 0 keeps them all. Expired tokens, challenges and sessions are purged hourly whatever this says")
    webhook_lease: float = _setting(60.0, "seconds a worker holds a claimed delivery (at least twice webhook_timeout, at most 86400): a killed worker's deliveries are retried when it expires")
    login_name_limit: int = _setting(5, "failed log-ins of one user name within login_window after which its log-ins are refused (429, Retry-After) until the window has passed; 0: no limit")
    login_address_limit: int = _setting(20, "failed log-ins from one client address within login_window after which its log-ins are refused likewise; 0: no limit (behind a reverse proxy every client has the proxy's address: raise it or set 0 there)")
    login_window: int = _setting(900, "seconds a failed log-in counts for login_name_limit and login_address_limit (at most 86400)")
    mail_worker: int = _setting(1, "1: `comptoir serve` sends the queued e-mails in-process; 0: only `comptoir worker` sends them")
    mail_retry_delays: str = _setting("60,300,900,3600,10800,21600,43200,86400", "seconds a message the SMTP server could not take waits after its 1st, 2nd... failure (one attempt more than delays; a 5xx answer is final at once)")
    mail_timeout: float = _setting(30.0, "seconds an SMTP server has to take a message")

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = os.environ.get("COMPTOIR_" + f.name.upper())
            if env is not None:
                values[f.name] = _parse(f.name, f.default, env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]
