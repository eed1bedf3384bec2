//! cutover: a terminal cockpit for blue-green releases on Kubernetes.

pub mod app;
pub mod bus;
pub mod cockpit;
pub mod config;
pub mod kube;
pub mod logging;
pub mod sanitize;
pub mod term;
pub mod ui;
