//! The Kubernetes API simulator (`cutover sim`, `cutover demo`, tests).

pub mod apps;
pub mod auth;
pub mod cluster;
pub mod faults;
pub mod selector;
pub mod state;
pub mod store;

pub use state::SimState;
