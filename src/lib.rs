//! cutover: a terminal cockpit for blue-green releases on Kubernetes.

pub mod app;
pub mod bus;
pub mod cluster;
pub mod cockpit;
pub mod config;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod paths;
pub mod sanitize;
pub mod term;
pub mod ui;
