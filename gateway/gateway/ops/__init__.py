"""The ops pages (``/ops``…): dashboards from Prometheus and the dead letters, for agency
staff with the ``ops`` role. ``/health/ready`` stays public (:mod:`gateway.health`)."""

from fastapi import APIRouter

from gateway.ops import dead_letters, pages, readiness

router = APIRouter(include_in_schema=False)
# the fixed paths before /ops/{service}
router.include_router(readiness.router)
router.include_router(dead_letters.router)
router.include_router(pages.router)
