//! Integration tests (CONFIG).
