// VNetState: see docs/architecture.md
