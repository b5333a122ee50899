// VNetOperations: see docs/architecture.md
