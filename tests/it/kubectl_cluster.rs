//! Integration tests (SIM-CLUSTER).
