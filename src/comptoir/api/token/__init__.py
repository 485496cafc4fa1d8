"""The Kananas-style front door: `GET /action_manager.php?event=api&request=<entity>` with
an API key in the `token:` header."""
