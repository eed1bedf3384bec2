//! Integration tests (lead).
