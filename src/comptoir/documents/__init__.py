"""The templates shipped with Comptoir (`templates/`): the HTML and CSS of every document
kind (quote, order, delivery note, invoice, credit note, supplier order, dunning letter) in
French and English, and the default e-mail subject and text per language.  They are read
as strings by `services/templates.py` and rendered in its sandbox; a template record marked
as the default of its kind, format and language replaces them (`docs/documents.md`)."""
