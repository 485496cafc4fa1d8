"""The instance a request names: every front door is served under `/{instance}/` (and the
webservice and token doors at the root as well), and answers only for its own."""

from __future__ import annotations

from starlette.requests import Request

from comptoir.errors import NotFoundError


def check_instance(request: Request) -> None:
    """NotFoundError when the path names another instance (no instance in the path: ours)."""
    named = request.path_params.get("instance")
    if named is not None and named != request.app.state.settings.instance:
        raise NotFoundError(f"Unknown instance: {str(named)[:60]}")
