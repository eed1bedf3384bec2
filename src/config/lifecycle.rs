//! `[deploy]`, `[[checklist]]`, `[migrations]` and `[decommission]`: how the release's other
//! steps run — deploying a version to the standby color, the pre-deployment checklist, the
//! migration check, and taking the old color down after the monitoring window.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How a version reaches the standby color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeployMode {
    /// Patch the container image of the color's Deployment to `{image}:{version}`.
    #[default]
    Image,
    /// Run `command` (e.g. `helm upgrade`) with `{version}`, `{color}`, `{namespace}` filled in.
    Command,
}

/// `[deploy]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeployConfig {
    /// Image or command mode.
    pub mode: DeployMode,
    /// Image mode: the image repository without a tag (default: the container's current
    /// image without its tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Image mode: the container whose image changes (default: the only container).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Command mode: program and arguments, run without a shell.
    pub command: Vec<String>,
    /// Command mode: environment (besides `PATH`, `HOME` and `KUBECONFIG`).
    pub env: BTreeMap<String, String>,
    /// Command mode: working directory (default: where cutover runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<PathBuf>,
    /// Command mode: seconds before a hung command is killed (its whole process group).
    pub timeout_secs: f64,
    /// Seconds cutover follows the rollout before calling it failed (the Deployment's own
    /// progress deadline usually says so first).
    pub rollout_timeout_secs: f64,
}

impl Default for DeployConfig {
    fn default() -> Self {
        Self {
            mode: DeployMode::Image,
            image: None,
            container: None,
            command: Vec::new(),
            env: BTreeMap::new(),
            workdir: None,
            timeout_secs: 900.0,
            rollout_timeout_secs: 900.0,
        }
    }
}

/// What decides a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Ticked by a person (space); who and when are recorded.
    Manual,
    /// Passes when `command` exits 0; its output is kept for the journal.
    Command,
    /// The standby color has as many ready pods as the switch needs.
    StandbyReady,
    /// The standby color's version passed its smoke test.
    SmokePassed,
    /// `[migrations] check` prints `expect`.
    MigrationsApplied,
}

impl ItemKind {
    /// The kind as written in the configuration.
    pub fn word(self) -> &'static str {
        match self {
            ItemKind::Manual => "manual",
            ItemKind::Command => "command",
            ItemKind::StandbyReady => "standby-ready",
            ItemKind::SmokePassed => "smoke-passed",
            ItemKind::MigrationsApplied => "migrations-applied",
        }
    }

    /// The name of a built-in item when the configuration gives none.
    pub fn default_name(self) -> Option<&'static str> {
        match self {
            ItemKind::StandbyReady => Some("Standby color ready"),
            ItemKind::SmokePassed => Some("Smoke test passed"),
            ItemKind::MigrationsApplied => Some("Migrations applied"),
            ItemKind::Manual | ItemKind::Command => None,
        }
    }
}

/// One `[[checklist]]` item.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// What it checks, as shown and journaled (unique; built-ins have a default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How it is decided.
    pub kind: ItemKind,
    /// A failing required item refuses the switch.
    #[serde(default)]
    pub required: bool,
    /// Command items: program and arguments, run without a shell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Command items: seconds before the command is killed (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
}

impl ChecklistItem {
    /// The name shown and journaled.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.kind.default_name().map(str::to_string))
            .unwrap_or_default()
    }

    /// Seconds a command item may run.
    pub fn timeout(&self) -> f64 {
        self.timeout_secs.unwrap_or(60.0)
    }
}

/// `[migrations]`: how `migrations-applied` knows the database is ready for the new version.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationsConfig {
    /// Program and arguments that print the applied migration (e.g. `alembic current`).
    pub check: Vec<String>,
    /// Text its output must contain (e.g. the alembic head the new version needs).
    pub expect: String,
    /// Environment (besides `PATH`, `HOME` and `KUBECONFIG`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working directory (default: where cutover runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<PathBuf>,
    /// Seconds before the check is killed.
    #[serde(default = "default_check_secs")]
    pub timeout_secs: f64,
}

fn default_check_secs() -> f64 {
    60.0
}

/// `[decommission]`: how the old color is taken down (default: its Deployment scaled to 0).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecommissionConfig {
    /// Program and arguments run instead of scaling to 0 (e.g. `helm uninstall`), with
    /// `{color}` and `{namespace}` filled in; empty: scale the Deployment to 0.
    pub command: Vec<String>,
    /// Environment of the command (besides `PATH`, `HOME` and `KUBECONFIG`).
    pub env: BTreeMap<String, String>,
    /// Working directory of the command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<PathBuf>,
    /// Seconds before the command is killed.
    pub timeout_secs: f64,
}

impl Default for DecommissionConfig {
    fn default() -> Self {
        Self {
            command: Vec::new(),
            env: BTreeMap::new(),
            workdir: None,
            timeout_secs: 300.0,
        }
    }
}

/// Everything about the release's lifecycle the core needs, taken from the configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lifecycle {
    /// `[deploy]` (None: deploying is not configured).
    pub deploy: Option<DeployConfig>,
    /// `[[checklist]]`.
    pub checklist: Vec<ChecklistItem>,
    /// `[migrations]`.
    pub migrations: Option<MigrationsConfig>,
    /// `[decommission]`.
    pub decommission: DecommissionConfig,
}
