//! Configuration: shape, loading, validation.

pub mod check;
pub mod demo;
pub mod error;
pub mod labels;
pub mod lifecycle;
pub mod load;
pub mod metrics;
pub mod parse;
pub mod release;
pub mod schema;
pub mod spans;
pub mod validate;

pub use demo::{demo_config, to_toml};
pub use error::{ConfigError, Diagnostic};
pub use load::{load, Loaded};
pub use parse::parse;
pub use schema::Config;
