"""Comptoir: an open-source ERP/CRM server."""
__version__ = "0.1.0"
