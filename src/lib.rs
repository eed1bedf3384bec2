//! cutover: a terminal cockpit for blue-green releases on Kubernetes.

pub mod app;
pub mod bus;
pub mod cli;
pub mod cluster;
pub mod cockpit;
pub mod config;
pub mod driver;
pub mod headless;
pub mod keymap;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod report;
pub mod sanitize;
pub mod term;
pub mod ui;
