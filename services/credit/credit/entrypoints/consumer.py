"""Event consumer process of the credit service (``python -m credit.entrypoints.consumer``).

Consumes the queue ``credit.events``; the handlers are in :mod:`credit.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from credit.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
