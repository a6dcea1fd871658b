"""Event consumer process of the webhooks service (``python -m webhooks.entrypoints.consumer``).

Consumes the queue ``webhooks.events``; the handlers are in :mod:`webhooks.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from webhooks.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
