// VNetNetlink: see docs/architecture.md
