//! The table of running actions: `Cmd::Start` spawns one, `Cmd::Cancel` cancels it, and
//! each reports its steps and outcome as messages. An op decides itself what cancellation
//! may cut (a router patch in flight is never cut).

pub mod checklist;
pub mod checks;
pub mod decommission;
pub mod deploy;
pub mod forward;
pub mod process;
pub mod rollout;
pub mod smoke;
pub mod suite;
pub mod switch;
mod verify;

use std::collections::HashMap;
use std::time::Instant;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Ctx;
use crate::app::action::{ActionId, Op, Phase, PhaseTime, Step};
use crate::app::msg::Msg;

/// How an op reports progress.
#[derive(Clone)]
pub struct Progress {
    id: ActionId,
    tx: tokio::sync::mpsc::UnboundedSender<Msg>,
    started: Instant,
}

impl Progress {
    /// Milliseconds since the bus started the action.
    pub fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// A phase completed now; returns its time.
    pub fn phase(&self, phase: Phase) -> PhaseTime {
        let t = PhaseTime {
            phase,
            ms: self.elapsed_ms(),
        };
        self.send(Step::Phase(t));
        t
    }

    /// What the op is waiting for now.
    pub fn waiting(&self, text: impl Into<String>) {
        self.send(Step::Waiting(text.into()));
    }

    /// A line of output (sanitize before: it is shown as is).
    pub fn output(&self, line: impl Into<String>) {
        self.send(Step::Output(line.into()));
    }

    fn send(&self, step: Step) {
        let _ = self.tx.send(Msg::ActionStep { id: self.id, step });
    }
}

/// Running actions by id.
#[derive(Default)]
pub struct Table {
    running: HashMap<ActionId, (CancellationToken, JoinHandle<()>)>,
}

impl Table {
    /// Spawn an action; its outcome arrives as `Msg::ActionDone`.
    pub fn start(&mut self, ctx: &Ctx, id: ActionId, op: Op) {
        self.running.retain(|_, (_, task)| !task.is_finished());
        let cancel = CancellationToken::new();
        let progress = Progress {
            id,
            tx: ctx.tx.clone(),
            started: Instant::now(),
        };
        let (ctx, token) = (ctx.clone(), cancel.clone());
        let task = tokio::spawn(async move {
            let outcome = match op {
                Op::Switch(plan) => switch::run(&ctx, plan, &progress, token).await,
                Op::Smoke(plan) => smoke::run(&ctx, plan, &progress, token).await,
                Op::Deploy(plan) => deploy::run(&ctx, plan, &progress, token).await,
                Op::Decommission(plan) => decommission::run(&ctx, plan, &progress, token).await,
                Op::ScaleUp(plan) => decommission::scale_up(&ctx, plan, &progress, token).await,
                Op::Checklist(plan) => checklist::run(plan, &progress, token).await,
            };
            let _ = ctx.tx.send(Msg::ActionDone { id, outcome });
        });
        self.running.insert(id, (cancel, task));
    }

    /// Ask an action to stop what may still be stopped.
    pub fn cancel(&mut self, id: ActionId) {
        if let Some((token, _)) = self.running.get(&id) {
            token.cancel();
        }
    }

    /// Stop everything at once (the process is ending without waiting).
    pub fn abort_all(&mut self) {
        for (token, task) in self.running.values() {
            token.cancel();
            task.abort();
        }
    }
}
