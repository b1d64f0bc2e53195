"""docintake: read scanned receipts, invoices and customs documents, match them, review them."""

__version__ = "0.1.0"
