"""Delivery worker process (``python -m webhooks.entrypoints.sender``); run several if
needed: they share the work through ``FOR UPDATE SKIP LOCKED``."""

from servicekit.service import run_worker

from webhooks.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "sender", service.run_sender)


if __name__ == "__main__":
    main()
