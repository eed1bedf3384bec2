//! The configuration file's shape (TOML). Loading, validation and error reporting live
//! beside it; this file is the contract every other module reads.

use serde::{Deserialize, Serialize};

use crate::model::Color;

pub use super::lifecycle::{
    ChecklistItem, DecommissionConfig, DeployConfig, DeployMode, ItemKind, Lifecycle,
    MigrationsConfig,
};
pub use super::metrics::{AnalysisConfig, MetricsConfig};
pub use super::release::{ConfirmStyle, ReleaseConfig, SmokeCheck, SmokeConfig};

/// A whole cutover configuration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Watch only, whatever the command line says: every traffic and workload action is
    /// refused (for a context that must never be changed from this configuration).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// Which Kubernetes object decides where traffic goes.
    pub router: RouterConfig,
    /// The two colors.
    pub colors: Colors,
    /// Health probes of each color.
    #[serde(default)]
    pub probes: ProbesConfig,
    /// Log streaming.
    #[serde(default)]
    pub logs: LogsConfig,
    /// Look and feel.
    #[serde(default)]
    pub ui: UiConfig,
    /// Gates, confirmation and verification of traffic actions.
    #[serde(default)]
    pub release: ReleaseConfig,
    /// What a smoke test runs.
    #[serde(default)]
    pub smoke: SmokeConfig,
    /// How a version reaches the standby color (None: `p` says it is not configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<DeployConfig>,
    /// The pre-deployment checklist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistItem>,
    /// How `migrations-applied` checks the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<MigrationsConfig>,
    /// How the old color is taken down.
    #[serde(default)]
    pub decommission: DecommissionConfig,
    /// Where each color's signals come from.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// How the live color is judged after a switch.
    #[serde(default)]
    pub analysis: AnalysisConfig,
    /// Key overrides: action name → key ("ctrl-r", "F5", "x").
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, String>,
}

/// The router kinds cutover can switch (see "Routers" in DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouterKind {
    /// One key of a Service's selector.
    ServiceSelector,
    /// Weights of a Gateway API HTTPRoute rule's backendRefs.
    Httproute,
    /// The backend Service of an Ingress rule.
    IngressBackend,
}

/// `[router]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Router kind.
    pub kind: RouterKind,
    /// Namespace of the router object.
    pub namespace: String,
    /// Name of the router object (Service, HTTPRoute or Ingress).
    pub name: String,
    /// `service-selector`: the selector key a switch rewrites (e.g. "deployment").
    #[serde(default)]
    pub selector_key: Option<String>,
    /// `httproute` / `ingress-backend`: index of the rule holding the backends (default 0).
    #[serde(default)]
    pub rule: usize,
    /// The public entry point, probed to learn which version actually serves.
    #[serde(default)]
    pub lb_url: Option<String>,
    /// Where the serving version is read from at `lb_url`.
    #[serde(default)]
    pub lb_version: Option<VersionSource>,
}

/// Where a response says which version served it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum VersionSource {
    /// A response header, e.g. "X-App-Version".
    Header(String),
    /// A top-level JSON field of the `ready` probe path's body, e.g. "version".
    JsonField(String),
}

/// `[colors.blue]` and `[colors.green]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    /// The blue color.
    pub blue: ColorConfig,
    /// The green color.
    pub green: ColorConfig,
}

impl Config {
    /// The lifecycle sections, as the core keeps them.
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            deploy: self.deploy.clone(),
            checklist: self.checklist.clone(),
            migrations: self.migrations.clone(),
            decommission: self.decommission.clone(),
        }
    }
}

impl Colors {
    /// One color's configuration.
    pub fn of(&self, c: Color) -> &ColorConfig {
        match c {
            Color::Blue => &self.blue,
            Color::Green => &self.green,
        }
    }

    /// Both colors with their names, blue first.
    pub fn both(&self) -> [(Color, &ColorConfig); 2] {
        [(Color::Blue, &self.blue), (Color::Green, &self.green)]
    }
}

/// One color's workload.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColorConfig {
    /// Namespace of the color's pods.
    pub namespace: String,
    /// Label selector of the color's pods, e.g. "app=fittrack,deployment=blue".
    pub selector: String,
    /// Name of the color's Deployment (for image/replicas); optional.
    #[serde(default)]
    pub deployment: Option<String>,
    /// The color's own Service (probes go through it); optional.
    #[serde(default)]
    pub service: Option<String>,
    /// The app port (default 8000).
    #[serde(default = "default_port")]
    pub port: u16,
    /// The router value meaning "this color": selector value (service-selector),
    /// backendRef Service name (httproute) or Ingress backend Service name (ingress-backend).
    pub route_value: String,
}

fn default_port() -> u16 {
    8000
}

/// How probes reach the pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeTransport {
    /// The API server's service/pod proxy (works with only a kubeconfig).
    #[default]
    Proxy,
    /// A port-forward to a pod.
    PortForward,
}

/// `[probes]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProbesConfig {
    /// Liveness path.
    pub live: String,
    /// Readiness path.
    pub ready: String,
    /// Seconds between probe rounds.
    pub interval_secs: f64,
    /// Seconds before a probe counts as failed.
    pub timeout_secs: f64,
    /// How probes reach the pods.
    pub transport: ProbeTransport,
}

impl Default for ProbesConfig {
    fn default() -> Self {
        Self {
            live: "/health/live".into(),
            ready: "/health/ready".into(),
            interval_secs: 2.0,
            timeout_secs: 2.0,
            transport: ProbeTransport::Proxy,
        }
    }
}

/// `[logs]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Most pods followed per color.
    pub max_streams: usize,
    /// Most lines kept per color.
    pub buffer_lines: usize,
    /// Most bytes kept per color.
    pub buffer_bytes: usize,
    /// Lines fetched per pod when a stream starts.
    pub tail: i64,
    /// Container to follow; default: the pod's default container.
    pub container: Option<String>,
    /// Longest line kept, in characters; longer lines are cut with a marker.
    pub max_line: usize,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_streams: 50,
            buffer_lines: 10_000,
            buffer_bytes: 8 * 1024 * 1024,
            tail: 50,
            container: None,
            max_line: 2_000,
        }
    }
}

/// Color theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    /// Colors on a dark background.
    #[default]
    Dark,
    /// Colors on a light background.
    Light,
    /// No colors (also chosen by `NO_COLOR`).
    Mono,
}

/// Which clock timestamps are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// Local time, with its zone.
    #[default]
    Local,
    /// UTC.
    Utc,
}

/// `[ui]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Color theme.
    pub theme: Theme,
    /// Mouse capture.
    pub mouse: bool,
    /// Clock for timestamps.
    pub clock: Clock,
    /// Most redraws per second for new log lines alone (keys and other changes draw at once).
    pub log_fps: u32,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            mouse: false,
            clock: Clock::default(),
            log_fps: 10,
        }
    }
}
