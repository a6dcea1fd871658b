"""Case files as the importer reads them (CSV, XLSX, JSON) and writes them (templates,
error reports); the import jobs' storage (:mod:`.job_store`)."""
