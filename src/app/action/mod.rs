//! Release actions as the core sees them: what a key (after its confirmation) or a headless
//! command asks for ([`Request`]), what the bus is told to run ([`Op`]), and what it reports
//! back ([`Step`], [`Outcome`]). Actions have ids; `update` starts, cancels and finishes them.

pub mod confirm;
pub mod journal;
pub mod lifecycle;
pub mod standing;
pub mod tracker;

use chrono::{DateTime, Utc};

use crate::config::schema::SmokeCheck;
use crate::model::{Color, RouterReading, RouterTarget, RouterValue};
use lifecycle::{ChecklistPlan, DecommissionPlan, DeployPlan, ItemResult, ScalePlan, WorkReport};

/// An action's id, unique within one run of cutover.
pub type ActionId = u64;

/// What a key (after its confirmation) or a headless command asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Smoke-test a color (None: the standby color, or the focused one).
    Smoke {
        /// The color to test.
        color: Option<Color>,
    },
    /// Switch traffic to a color.
    Switch {
        /// The target.
        to: Color,
    },
    /// Roll traffic back (None: the color that is not live).
    Rollback {
        /// The target, when the router cannot tell (SPLIT, UNKNOWN).
        to: Option<Color>,
    },
    /// Deploy a version (None: to the standby color).
    Deploy {
        /// The version (an image tag, or what the deploy command makes of it).
        version: String,
        /// The color deployed to.
        color: Option<Color>,
    },
    /// Take the old color down (None: the standby color).
    Decommission {
        /// The color.
        color: Option<Color>,
    },
    /// Run the checklist's commands for the release on the standby color.
    Checklist,
}

impl Request {
    /// The request in words, for refusals and the journal ("switch to GREEN").
    pub fn words(&self) -> String {
        match self {
            Request::Smoke { color: Some(c) } => format!("smoke {}", c.word()),
            Request::Smoke { color: None } => "smoke".into(),
            Request::Switch { to } => format!("switch to {}", to.word()),
            Request::Rollback { to: Some(c) } => format!("rollback to {}", c.word()),
            Request::Rollback { to: None } => "rollback".into(),
            Request::Deploy {
                version,
                color: Some(c),
            } => format!("deploy {version} to {}", c.word()),
            Request::Deploy {
                version,
                color: None,
            } => format!("deploy {version}"),
            Request::Decommission { color: Some(c) } => format!("decommission {}", c.word()),
            Request::Decommission { color: None } => "decommission".into(),
            Request::Checklist => "checklist".into(),
        }
    }
}

/// How a request arrived and what it may skip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
    /// Confirmed in advance (`--yes`): no question is asked.
    pub yes: bool,
    /// Why (`--reason`), recorded in the journal.
    pub reason: Option<String>,
    /// From a headless command: the outcome ends the program with an exit code.
    pub headless: bool,
}

/// Which class an action belongs to (DESIGN: command classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionClass {
    /// Changes where traffic goes (switch, rollback): refused in read-only mode, one at a time.
    Traffic,
    /// Checks that change nothing in the cluster (built-in smoke checks).
    Check,
    /// Changes a color's workload (deploy, decommission, scale-up): refused in read-only
    /// mode, one traffic or workload action at a time.
    Workload,
}

/// Work the bus is asked to do for an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Smoke-test a color.
    Smoke(SmokePlan),
    /// Switch (or roll back) the router with one compare-and-swap patch, then verify.
    Switch(SwitchPlan),
    /// Deploy a version to a color and follow its rollout.
    Deploy(DeployPlan),
    /// Take a color down.
    Decommission(DecommissionPlan),
    /// Scale a color back up, then (maybe) roll back to it.
    ScaleUp(ScalePlan),
    /// Run the checklist's commands.
    Checklist(ChecklistPlan),
}

impl Op {
    /// The color the action is aimed at (a smoke test's color, a switch's target, the
    /// color deployed to or taken down).
    pub fn color(&self) -> Color {
        match self {
            Op::Smoke(p) => p.color,
            Op::Switch(p) => p.to,
            Op::Deploy(p) => p.color,
            Op::Decommission(p) => p.color,
            Op::ScaleUp(p) => p.color,
            Op::Checklist(p) => p.color,
        }
    }
}

/// Switch, rollback, or a rollback decided by the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchKind {
    /// A planned switch (gated).
    Switch,
    /// A rollback by a person (no smoke gate).
    Rollback,
}

impl SwitchKind {
    /// "switch" / "rollback".
    pub fn word(self) -> &'static str {
        match self {
            SwitchKind::Switch => "switch",
            SwitchKind::Rollback => "rollback",
        }
    }
}

/// Everything the bus needs to switch the router; decided in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchPlan {
    /// Switch or rollback.
    pub kind: SwitchKind,
    /// What the router said when the user decided.
    pub from: RouterTarget,
    /// The color traffic goes to.
    pub to: Color,
    /// The values the user saw: the patch `test`s exactly these (compare-and-swap).
    pub expected: Vec<RouterValue>,
    /// The switch id recorded on the router (`cutover.dev/switch-id`) and in the journal.
    pub switch_id: String,
    /// Who switches (`cutover.dev/switched-by`).
    pub by: String,
    /// When the user decided (`cutover.dev/switched-at`).
    pub at: DateTime<Utc>,
    /// The target's version, which the load balancer must answer with.
    pub target_version: Option<String>,
    /// Fresh consecutive LB answers from the target's version that verify the switch
    /// (0: no `lb_url`, verify at the endpoints only).
    pub lb_requests: u32,
    /// Seconds before an unconverged verification is a loud warning.
    pub verify_timeout_secs: f64,
    /// The driver lease to take first (None: this cockpit drives already, or a rollback,
    /// which the lease never blocks).
    pub lease: Option<crate::app::peers::LeaseClaim>,
}

/// Everything the bus needs for a smoke test; decided in `update`.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokePlan {
    /// The color tested.
    pub color: Color,
    /// Its version when the test started.
    pub version: Option<String>,
    /// Built-in HTTP checks.
    pub checks: Vec<SmokeCheck>,
    /// Run the external suite (`[smoke] command`): false when none is configured, or in
    /// read-only mode (it is an external command).
    pub suite: bool,
}

/// A phase of an action, timed from the moment the bus started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The API server accepted the router patch.
    PatchAccepted,
    /// The target's Service has only ready endpoints of the target.
    EndpointsReady,
    /// The load balancer answered N fresh requests from the target's version.
    LbVerified,
    /// The built-in smoke checks finished.
    Checks,
    /// The external smoke suite finished.
    Suite,
    /// A Deployment was patched (image, replicas) or scaled.
    Patched,
    /// An external command (deploy, decommission) exited 0.
    Command,
    /// The rollout completed: every replica updated and ready.
    RolledOut,
}

impl Phase {
    /// The phase in words.
    pub fn words(self) -> &'static str {
        match self {
            Phase::PatchAccepted => "patch",
            Phase::EndpointsReady => "endpoints",
            Phase::LbVerified => "LB",
            Phase::Checks => "checks",
            Phase::Suite => "suite",
            Phase::Patched => "patched",
            Phase::Command => "command",
            Phase::RolledOut => "rollout",
        }
    }
}

/// A phase and when it completed, in milliseconds after the action started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhaseTime {
    /// Which phase.
    pub phase: Phase,
    /// Milliseconds from the start of the action.
    pub ms: u64,
}

/// Progress of a running action.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A phase completed.
    Phase(PhaseTime),
    /// What the action is waiting for now ("API slow: retrying with the same switch id (2)").
    Waiting(String),
    /// A line of a child process's output or a check's result (sanitized).
    Output(String),
}

/// How a switch's verification ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verification {
    /// Every phase converged.
    Verified,
    /// It did not converge within the timeout: what was still missing.
    TimedOut(String),
    /// Cancelled (a rollback pre-empted it, or shutdown).
    Cancelled,
}

/// One built-in check's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// "GET /health/ready".
    pub name: String,
    /// The pod it went to.
    pub pod: String,
    /// Passed?
    pub ok: bool,
    /// "200 in 12 ms", "503 (expected 200)", "body lacks \"kind\"".
    pub detail: String,
}

/// A smoke test's result.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeReport {
    /// Every check passed and the suite (when run) exited 0.
    pub passed: bool,
    /// Built-in checks.
    pub checks: Vec<CheckResult>,
    /// The suite's exit code (None: not run, or killed).
    pub suite_exit: Option<i32>,
    /// Why the suite did not finish normally (timeout, cancelled, could not start).
    pub suite_error: Option<String>,
    /// Wall time in milliseconds.
    pub ms: u64,
}

impl SmokeReport {
    /// Checks passed.
    pub fn checks_passed(&self) -> usize {
        self.checks.iter().filter(|c| c.ok).count()
    }
}

/// How an action ended, as the bus reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The router now sends traffic to the target.
    Switched {
        /// Phase times.
        phases: Vec<PhaseTime>,
        /// How verification ended.
        verification: Verification,
        /// Attempts the patch needed (1 unless the API was slow).
        attempts: u32,
    },
    /// The router changed under us: nothing was written.
    Conflict {
        /// The router as read after the refusal.
        now: Option<RouterReading>,
    },
    /// A smoke test finished (passed or failed), or was cancelled part-way.
    Smoke(SmokeReport),
    /// A deploy, decommission or scale-up finished (done or failed).
    Work(WorkReport),
    /// The checklist's commands ran.
    Checklist(Vec<ItemResult>),
    /// The action failed; nothing changed that it was meant to change.
    Failed(String),
    /// Cancelled before it changed anything.
    Cancelled,
}

/// How a gate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateState {
    /// Satisfied.
    Pass,
    /// Not satisfied: the action is refused (or, for a rollback's outage, needs typing).
    Fail,
    /// Satisfied, with something worth saying.
    Warn,
}

/// One precondition, as shown in the confirmation and written to the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// "router", "ready", "smoke".
    pub name: &'static str,
    /// How it stands.
    pub state: GateState,
    /// What was found: "GREEN 3/3 ready (BLUE serves with 3)".
    pub detail: String,
    /// What to do when it fails: "press s to smoke-test GREEN v2.0.0".
    pub fix: Option<String>,
}

impl Gate {
    /// A gate that passes when `ok`; `fix` is kept only when it fails.
    pub fn new(name: &'static str, ok: bool, detail: String, fix: Option<String>) -> Gate {
        let state = if ok { GateState::Pass } else { GateState::Fail };
        Gate {
            name,
            state,
            detail,
            fix: (!ok).then_some(fix).flatten(),
        }
    }

    /// Not failed.
    pub fn passed(&self) -> bool {
        self.state != GateState::Fail
    }
}
