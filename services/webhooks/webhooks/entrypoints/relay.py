"""Outbox relay process of the webhooks service (``python -m webhooks.entrypoints.relay``)."""

from servicekit.service import run_worker

from webhooks.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "relay", service.run_relay)


if __name__ == "__main__":
    main()
