"""The poster process of the reports service (``python -m reports.entrypoints.poster``):
hands issued letters to the debtor to the post, retrying what the post refused."""

from servicekit.service import run_worker

from reports.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()
    run_worker(service, "poster", service.run_poster)


if __name__ == "__main__":
    main()
