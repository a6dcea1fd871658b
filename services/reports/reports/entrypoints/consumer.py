"""Event consumer process of the reports service (``python -m reports.entrypoints.consumer``).

Consumes the queue ``reports.events``; the handlers are in :mod:`reports.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from reports.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
