"""The front doors: thin HTTP layers over the services."""
