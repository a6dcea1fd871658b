"""ERP connections and invoices, without I/O."""
