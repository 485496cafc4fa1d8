"""Wire values: what a client sends, checked and coerced to what is stored, and stored
values shown the way each front door writes them (`values`: the REST API; `module_values`:
the vtiger webservice), and the e-invoice file formats (`einvoice`: Factur-X CII and UBL
written; `received`: a received CII read).  Pure: no I/O.  Business rules live in
`domain/`, not here."""
