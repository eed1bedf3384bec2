//! cutover: a terminal cockpit for blue-green releases on Kubernetes.

pub mod app;
pub mod bus;
pub mod config;
pub mod kube;
pub mod sanitize;
pub mod sim;
pub mod ui;
