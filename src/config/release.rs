//! `[release]` and `[smoke]`: how traffic actions are gated, confirmed and verified, and
//! what a smoke test runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How a switch is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfirmStyle {
    /// `y` or Enter.
    #[default]
    Key,
    /// Type the target color's name (meant for production contexts).
    Typed,
}

/// `[release]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleaseConfig {
    /// The target needs this share of the Ready pods the live color serves with (0–1].
    pub min_ready_ratio: f64,
    /// A switch needs a passed smoke test of the target's current version.
    pub require_smoke: bool,
    /// How a switch (and a rollback, when it asks) is confirmed.
    pub confirm: ConfirmStyle,
    /// Rollback asks `y` first; `false` rolls back on the key alone.
    pub rollback_confirm: bool,
    /// Seconds a switch's verification may take before it is a loud warning.
    pub verify_timeout_secs: f64,
    /// Consecutive fresh load-balancer answers from the target's version that verify a switch.
    pub verify_lb_requests: u32,
    /// Minutes after a switch the old color is kept warm for a rollback (the monitoring
    /// window); decommissioning it sooner needs a typed confirmation.
    pub monitor_minutes: f64,
}

impl Default for ReleaseConfig {
    fn default() -> Self {
        Self {
            min_ready_ratio: 1.0,
            require_smoke: true,
            confirm: ConfirmStyle::Key,
            rollback_confirm: true,
            verify_timeout_secs: 30.0,
            verify_lb_requests: 5,
            monitor_minutes: 15.0,
        }
    }
}

/// One built-in smoke check: an HTTP request to ready pods of the target color.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeCheck {
    /// Path, starting with `/`.
    pub path: String,
    /// HTTP method (default GET).
    #[serde(default = "default_method")]
    pub method: String,
    /// Expected status code (default 200).
    #[serde(default = "default_status")]
    pub status: u16,
    /// The body must contain this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    /// The answer must arrive within this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_ms: Option<u64>,
}

fn default_method() -> String {
    "GET".into()
}

fn default_status() -> u16 {
    200
}

/// `[smoke]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmokeConfig {
    /// Built-in HTTP checks.
    pub checks: Vec<SmokeCheck>,
    /// External suite: program and arguments, run without a shell (empty: none).
    pub command: Vec<String>,
    /// Environment of the suite (besides `PATH`, `HOME` and `BASE_URL`).
    pub env: BTreeMap<String, String>,
    /// Working directory of the suite (default: where cutover runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<PathBuf>,
    /// Seconds before a hung suite is killed.
    pub timeout_secs: f64,
}

impl Default for SmokeConfig {
    fn default() -> Self {
        Self {
            checks: Vec::new(),
            command: Vec::new(),
            env: BTreeMap::new(),
            workdir: None,
            timeout_secs: 600.0,
        }
    }
}
