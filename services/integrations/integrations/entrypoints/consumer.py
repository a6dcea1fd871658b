"""Event consumer process of the integrations service
(``python -m integrations.entrypoints.consumer``).

Consumes the queue ``integrations.events``; the handlers are in
:mod:`integrations.entrypoints.consumers`.
"""

from servicekit.service import run_worker

from integrations.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
