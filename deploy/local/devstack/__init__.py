"""InfoCenter on one machine: provision, migrate and supervise every process of the stack.

``python -m devstack up|down|status|logs|provision|migrate`` for people (``make up``);
:class:`Stack` and :class:`StackConfig` for pytest fixtures that need a whole, isolated
stack (own databases, ports and bus namespace).
"""

from devstack.stack import (
    GATEWAY,
    SERVICES,
    ProcessSpec,
    ProcessStatus,
    Stack,
    StackConfig,
    StackNotReady,
    process_table,
)

__all__ = [
    "GATEWAY",
    "SERVICES",
    "ProcessSpec",
    "ProcessStatus",
    "Stack",
    "StackConfig",
    "StackNotReady",
    "process_table",
]
