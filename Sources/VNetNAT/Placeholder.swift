// VNetNAT: see docs/architecture.md
