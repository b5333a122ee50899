// VNetIPAM: see docs/architecture.md
