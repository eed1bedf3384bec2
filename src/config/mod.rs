//! Configuration: shape, loading, validation.

pub mod schema;
