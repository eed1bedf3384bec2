//! The Kubernetes API simulator (`cutover sim`, `cutover demo`, tests).
//!
//! [`start`] runs it on its own thread and runtime and returns a [`SimHandle`]; [`run_cli`] is
//! `cutover sim`. The store ([`store`]) is shared in-process with the simulated cluster
//! ([`cluster`]) and apps ([`apps`]) through [`SimState`].

pub mod apps;
pub mod auth;
pub mod cluster;
pub mod discovery;
pub mod eventsv1;
pub mod faults;
pub mod kubeconfig;
mod launch;
pub mod openapi;
pub mod patch;
pub mod proto;
pub mod resources;
pub mod selector;
pub mod server;
pub mod state;
pub mod store;
pub mod strategic;
pub mod table;
pub mod tls;
pub mod watch;

pub use launch::{run_cli, start, SimError, SimHandle, SimOptions};
pub use state::SimState;
