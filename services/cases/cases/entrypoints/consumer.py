"""Event consumer process of the cases service (``python -m cases.entrypoints.consumer``).

Consumes the queue ``cases.events``; the handlers are in :mod:`cases.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from cases.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
