"""Event consumer process of the ledger service (``python -m ledger.entrypoints.consumer``).

Consumes the queue ``ledger.events``; the handlers are in :mod:`ledger.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from ledger.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
