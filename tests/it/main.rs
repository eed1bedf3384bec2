//! Integration tests: one crate to keep link time down on 2 cores.
//! Each module belongs to one area; see the file's first line.

mod architecture;
mod cockpit_feeds;
mod config_cluster;
mod config_files;
mod e2e;
mod e2e_lifecycle;
mod journal;
mod kubectl_api;
mod kubectl_cluster;
mod lifecycle;
mod pairing;
mod signals;
mod sim_api;
mod sim_apps;
mod sim_cluster;
mod sim_probes;
mod sim_python;
mod smoke;
mod support;
mod traffic;
