"""The services: the only API of the core (one transaction per call)."""
