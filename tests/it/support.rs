//! Shared test helpers (SIM-API owns; others may add small helpers at the end).
