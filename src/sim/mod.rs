//! The Kubernetes API simulator (`cutover sim`, `cutover demo`, tests).

pub mod apps;
pub mod cluster;
