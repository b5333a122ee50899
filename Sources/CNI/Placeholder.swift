// CNI: see docs/architecture.md
