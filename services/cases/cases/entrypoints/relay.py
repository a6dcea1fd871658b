"""Outbox relay process of the cases service (``python -m cases.entrypoints.relay``)."""

from servicekit.service import run_worker

from cases.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
