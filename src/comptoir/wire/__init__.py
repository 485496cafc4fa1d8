"""Wire values: what a client sends, checked and coerced to what is stored, and stored
values shown the way each front door writes them (`values`: the REST API; `module_values`:
the vtiger webservice).  Pure: no I/O.  Business rules live in `domain/`, not here."""
