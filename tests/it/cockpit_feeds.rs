//! Integration tests (BUS).
