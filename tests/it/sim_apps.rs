//! Integration tests (SIM-APPS).
