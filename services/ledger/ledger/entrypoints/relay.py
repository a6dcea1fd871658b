"""Outbox relay process of the ledger service (``python -m ledger.entrypoints.relay``)."""

from servicekit.service import run_worker

from ledger.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
