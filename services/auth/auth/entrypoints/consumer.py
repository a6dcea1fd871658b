"""Event consumer process of the identity service (``python -m auth.entrypoints.consumer``).

The identity service consumes one event: ``reports.replay.requested.v1``, a consumer
rebuilding a projection asking for the organisations and users it published
(``servicekit.replay``).
"""

from servicekit.service import run_worker

from auth.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
