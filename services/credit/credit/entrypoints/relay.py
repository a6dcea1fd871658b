"""Outbox relay process of the credit service (``python -m credit.entrypoints.relay``)."""

from servicekit.service import run_worker

from credit.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
