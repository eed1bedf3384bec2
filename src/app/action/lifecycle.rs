//! The release's other actions as the bus runs them: deploying a version to a color,
//! decommissioning the old color, scaling a decommissioned color back up (before a
//! rollback), and running the checklist's commands. Plans are decided in `update`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{PhaseTime, SwitchPlan};
use crate::model::Color;

/// An external command as cutover runs it: no shell, its own process group, only the
/// given environment plus `PATH`, `HOME` and `KUBECONFIG`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    /// Program and arguments, placeholders already filled in.
    pub argv: Vec<String>,
    /// Environment besides `PATH`, `HOME` and `KUBECONFIG`.
    pub env: BTreeMap<String, String>,
    /// Working directory (None: where cutover runs).
    pub workdir: Option<PathBuf>,
    /// Seconds before the whole process group is killed.
    pub timeout_secs: f64,
}

impl CommandSpec {
    /// The command line in words (for confirmations and the journal).
    pub fn words(&self) -> String {
        self.argv.join(" ")
    }

    /// The program's name ("helm").
    pub fn program(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or("")
    }
}

/// How a deploy changes the color.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployHow {
    /// Patch the container image of the color's Deployment.
    Image {
        /// The repository (None: the container's current one).
        image: Option<String>,
        /// The container (None: the only one).
        container: Option<String>,
        /// Replicas to restore when the Deployment is scaled to 0 (the live color's count).
        restore_replicas: u32,
    },
    /// Run a command (e.g. `helm upgrade`).
    Command(CommandSpec),
}

/// Everything the bus needs to deploy a version to a color; decided in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployPlan {
    /// The color deployed to.
    pub color: Color,
    /// Its namespace.
    pub namespace: String,
    /// Its Deployment, whose rollout is followed (None: only the command's exit counts).
    pub deployment: Option<String>,
    /// The version deployed.
    pub version: String,
    /// The color's version before.
    pub from_version: Option<String>,
    /// Image patch or command.
    pub how: DeployHow,
    /// Seconds the rollout is followed before it counts as failed.
    pub rollout_timeout_secs: f64,
    /// The driver lease to take before acting (None: this cockpit drives already).
    pub lease: Option<crate::app::peers::LeaseClaim>,
}

impl DeployPlan {
    /// Runs an external command (whose interruption needs asking).
    pub fn runs_command(&self) -> bool {
        matches!(self.how, DeployHow::Command(_))
    }
}

/// How a decommission takes the color down.
#[derive(Debug, Clone, PartialEq)]
pub enum DecommissionHow {
    /// Scale the Deployment to 0.
    Scale {
        /// The Deployment.
        deployment: String,
    },
    /// Run a command (e.g. `helm uninstall`).
    Command(CommandSpec),
}

/// Everything the bus needs to decommission a color; decided in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct DecommissionPlan {
    /// The color taken down.
    pub color: Color,
    /// Its namespace.
    pub namespace: String,
    /// Scale or command.
    pub how: DecommissionHow,
    /// Its replicas before (for the journal and a later scale-up).
    pub replicas_before: u32,
    /// The driver lease to take before acting (None: this cockpit drives already).
    pub lease: Option<crate::app::peers::LeaseClaim>,
}

/// Scale a color's Deployment up and wait until its pods are ready; then, when `then` is
/// set, switch (the rollback that asked for it).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePlan {
    /// The color.
    pub color: Color,
    /// Its namespace.
    pub namespace: String,
    /// Its Deployment.
    pub deployment: String,
    /// Replicas wanted.
    pub replicas: u32,
    /// Seconds to wait for them to be ready.
    pub timeout_secs: f64,
    /// The switch (rollback) to start once they are ready.
    pub then: Option<Box<SwitchPlan>>,
}

/// One checklist command: a command item, or the migration check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckCommand {
    /// The item's name.
    pub name: String,
    /// What runs.
    pub spec: CommandSpec,
    /// Text the output must contain (the migration check), besides exit 0.
    pub expect: Option<String>,
}

/// The checklist's commands for a release; decided in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistPlan {
    /// The release's color.
    pub color: Color,
    /// The release's version.
    pub version: Option<String>,
    /// The commands, in checklist order.
    pub commands: Vec<CheckCommand>,
}

/// How a deploy, decommission or scale-up ended.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkReport {
    /// It did what it set out to do.
    pub ok: bool,
    /// One line for people: "GREEN rolled out v2.0.1: 3/3 ready in 41.20 s".
    pub summary: String,
    /// Phase times.
    pub phases: Vec<PhaseTime>,
}

/// One checklist command's result.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    /// The item's name.
    pub name: String,
    /// Passed?
    pub ok: bool,
    /// "exit 0 in 0.31 s", "exit 1", "output lacks \"3f2a9c1b\"", "timed out after 60 s".
    pub detail: String,
    /// The last lines of its output (sanitized), kept for the journal.
    pub output: Vec<String>,
}
