"""Security tests of the whole stack (issue 18): run in `make test`, the disruptive ones last."""
