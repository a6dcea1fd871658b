"""The file-import worker of the cases service (``python -m cases.entrypoints.importer``).

Leases queued import jobs and registers their cases chunk by chunk
(:mod:`cases.service_layer.imports`); several can run side by side. On SIGTERM it finishes
the chunk at hand and gives its job back, so the next importer resumes it at once.
"""

from __future__ import annotations

import asyncio
import gc

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
            chunks_in_flight=settings.import_chunks_in_flight,
            lease_seconds=settings.import_lease_seconds,
            poll_seconds=settings.import_poll_seconds,
            max_attempts=settings.import_max_attempts,
            max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        ),
    )


def main() -> None:
    service = bootstrap()

    async def work(stop: asyncio.Event) -> None:
        importer = importer_for(service)
        # What is loaded by now (modules, settings, the rule book) lives as long as the
        # process: out of the collector's way. And a chunk's rows are thousands of small
        # objects without cycles, which reference counting frees: with the default
        # thresholds the collector ran every 700 of them and walked all that was alive,
        # a fifth of the importer's CPU (bench/RESULTS.md).
        gc.freeze()
        gc.set_threshold(100_000, 20, 10)
        await importer.run(stop)

    run_worker(service, "importer", work)


if __name__ == "__main__":
    main()
