// VNetConsole: see docs/architecture.md
