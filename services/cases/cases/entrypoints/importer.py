"""The file-import worker of the cases service (``python -m cases.entrypoints.importer``).

Leases queued import jobs and registers their cases chunk by chunk
(:mod:`cases.service_layer.imports`); several can run side by side. On SIGTERM it finishes
the chunk at hand and gives its job back, so the next importer resumes it at once.
"""

from __future__ import annotations

import asyncio

from servicekit.service import run_worker

from cases.bootstrap import CasesService, bootstrap
from cases.service_layer.imports import Importer, ImporterConfig


def importer_for(service: CasesService) -> Importer:
    settings = service.settings
    return Importer(
        unit_of_work=service.unit_of_work,
        engine=service.engine,
        registration=service.registration(),
        config=ImporterConfig(
            chunk_rows=settings.import_chunk_rows,
            lease_seconds=settings.import_lease_seconds,
            poll_seconds=settings.import_poll_seconds,
            max_attempts=settings.import_max_attempts,
            max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        ),
    )


def main() -> None:
    service = bootstrap()

    async def work(stop: asyncio.Event) -> None:
        await importer_for(service).run(stop)

    run_worker(service, "importer", work)


if __name__ == "__main__":
    main()
