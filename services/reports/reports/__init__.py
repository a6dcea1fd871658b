"""InfoCenter reports service: read models, documents, saved reports, exports and KPIs."""
