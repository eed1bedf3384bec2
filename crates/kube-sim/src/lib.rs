//! A Kubernetes API simulator that kube-rs, kubectl and the Python client accept: a real
//! HTTP(S) API server on 127.0.0.1 with simulated controllers, kubelets, apps that answer
//! HTTP, a load balancer and synthetic traffic (used by `cutover sim`, `cutover demo` and tests).
//!
//! [`start`] runs it on its own thread and runtime and returns a [`SimHandle`]. The store ([`store`]) is shared in-process with the simulated cluster
//! ([`cluster`]) and apps ([`apps`]) through [`SimState`].

pub mod aggregated;
pub mod apps;
pub mod auth;
pub mod cluster;
pub mod discovery;
pub mod eventsv1;
pub mod faults;
pub mod field_labels;
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
pub mod wire;

pub use launch::{start, SimError, SimHandle, SimOptions};
pub use state::SimState;
