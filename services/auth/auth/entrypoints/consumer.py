"""Event consumer process of the identity service (``python -m auth.entrypoints.consumer``).

The identity service consumes two events: ``reports.replay.requested.v1``, a consumer
rebuilding a projection asking for the organisations and users it published
(``servicekit.replay``), and ``reports.document.issued.v1``, on which it mails the
document's organisation's users that new documents are ready
(``auth.service_layer.notifications``).
"""

from servicekit.service import run_worker

from auth.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
