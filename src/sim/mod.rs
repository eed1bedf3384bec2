//! The Kubernetes API simulator (`cutover sim`, `cutover demo`, tests).

pub mod apps;
pub mod auth;
pub mod cluster;
pub mod discovery;
pub mod eventsv1;
pub mod faults;
pub mod kubeconfig;
pub mod patch;
pub mod resources;
pub mod selector;
pub mod server;
pub mod state;
pub mod store;
pub mod strategic;
pub mod table;
pub mod tls;
pub mod watch;

pub use state::SimState;
