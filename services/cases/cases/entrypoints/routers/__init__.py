"""The cases API's routers, one per capability."""
