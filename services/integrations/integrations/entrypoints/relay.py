"""Outbox relay process of the integrations service
(``python -m integrations.entrypoints.relay``)."""

from servicekit.service import run_worker

from integrations.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
