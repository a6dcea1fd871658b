"""Event consumer process of the identity service (``python -m auth.entrypoints.consumer``).

The identity service consumes no events today; the process exists so that every service
runs the same three process kinds and gains consumers without changes to deployment.
"""

from servicekit.service import run_worker

from auth.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "consumer", service.run_consumers)


if __name__ == "__main__":
    main()
