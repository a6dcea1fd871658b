"""The file-import worker of the cases service (``python -m cases.entrypoints.importer``).

Leases queued import jobs and registers their cases chunk by chunk
(:mod:`cases.service_layer.imports`); several can run side by side. On SIGTERM it finishes
the chunk at hand and gives its job back, so the next importer resumes it at once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource

from servicekit.service import run_worker

from cases.bootstrap import CasesService, bootstrap
from cases.service_layer.imports import Importer, ImporterConfig

log = logging.getLogger(__name__)


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
            max_stalls=settings.import_max_stalls,
            max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        ),
    )


def limit_memory(limit_bytes: int) -> None:
    """Cap this process's address space: past it, allocations raise ``MemoryError``.

    One importer works on one job at a time, so the cap is a job's: a file that needs more
    fails with a clear error (``imports.READ_TOO_COSTLY``) instead of growing until the
    kernel kills the process and the next importer takes the job, and the host, down
    again. In Kubernetes the container's memory limit is the outer bound (deploy/k8s).
    """
    if limit_bytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))
    log.info("importer address space limited to %d MiB", limit_bytes // 2**20)


def main() -> None:
    service = bootstrap()
    limit_memory(service.settings.import_memory_limit_bytes)

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
