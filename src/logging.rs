//! cutover's own log: tracing records go to tui-logger (shown behind a key in the cockpit).
//! The in-process simulator's records are filtered out, so `cutover demo` shows only
//! what cutover itself did.

use tracing_subscriber::filter::{filter_fn, LevelFilter};
use tracing_subscriber::prelude::*;

/// Targets never shown in cutover's own log: the in-process simulator, and kube-client's
/// per-response error records (every 503 of a probe through the API proxy; the probe
/// results already say it, once, in the panes).
const HIDDEN_TARGETS: &[&str] = &["kube_sim", "kube_client::client::builder"];

/// Whether a record from `target` belongs in cutover's own log.
pub fn shown(target: &str) -> bool {
    !HIDDEN_TARGETS.iter().any(|hidden| {
        target == *hidden
            || target
                .strip_prefix(hidden)
                .is_some_and(|rest| rest.starts_with("::"))
    })
}

/// Route tracing to tui-logger for the cockpit. Level from `CUTOVER_LOG` (default info).
pub fn init_cockpit() {
    let level = std::env::var("CUTOVER_LOG")
        .ok()
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let _ = tui_logger::init_logger(tui_logger::LevelFilter::Trace);
    tui_logger::set_default_level(tui_logger::LevelFilter::Trace);
    let layer = tui_logger::TuiTracingSubscriberLayer
        .with_filter(level)
        .with_filter(filter_fn(|meta| shown(meta.target())));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Route tracing to stderr for headless commands (`sim`, `check-config`).
pub fn init_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CUTOVER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn simulator_records_are_hidden_and_ours_are_shown() {
        assert!(!shown("kube_sim"));
        assert!(!shown("kube_sim::store"));
        assert!(shown("kube_simple"));
        assert!(shown("cutover::bus::logs"));
        assert!(shown("kube_runtime::watcher"));
        assert!(!shown("kube_client::client::builder"));
        assert!(shown("kube_client::client"));
    }
}
