"""The ZeyOS Standard REST API and its authentication API."""
