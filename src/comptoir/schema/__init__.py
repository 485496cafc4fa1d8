"""The entity registry: the single source of truth for Comptoir's data model."""
