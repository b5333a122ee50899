// VNetPools: see docs/architecture.md
