"""Outbox relay process of the reports service (``python -m reports.entrypoints.relay``)."""

from servicekit.service import run_worker

from reports.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
