//! Integration tests (SIM-API).
