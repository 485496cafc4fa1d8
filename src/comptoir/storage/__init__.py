"""Storage: tables derived from the registry, the database drivers, migrations."""
