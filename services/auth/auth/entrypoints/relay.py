"""Outbox relay process of the identity service (``python -m auth.entrypoints.relay``)."""

from servicekit.service import run_worker

from auth.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
