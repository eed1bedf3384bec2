//! The checklist's commands: each command item (passes on exit 0) and the migration check
//! (exit 0 and its output contains `expect`), one after another; their output is kept
//! for the journal.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::process::{self, Spawn};
use super::Progress;
use crate::app::action::lifecycle::{ChecklistPlan, ItemResult};
use crate::app::action::Outcome;

/// Run every command of the plan and say how each went.
pub async fn run(plan: ChecklistPlan, progress: &Progress, cancel: CancellationToken) -> Outcome {
    let mut results = Vec::new();
    for c in &plan.commands {
        if cancel.is_cancelled() {
            return Outcome::Cancelled;
        }
        progress.waiting(format!("checking “{}”", c.name));
        let started = Instant::now();
        let spawn = Spawn {
            label: &c.name,
            argv: &c.spec.argv,
            env: process::command_environment(&c.spec.env),
            workdir: c.spec.workdir.as_deref(),
            timeout_secs: c.spec.timeout_secs,
            note: None,
        };
        let end = process::run(&spawn, progress, &cancel).await;
        if cancel.is_cancelled() {
            return Outcome::Cancelled;
        }
        let took = format!("{:.2} s", started.elapsed().as_secs_f64());
        let (ok, detail) = match (&c.expect, end.succeeded()) {
            (_, false) => (false, format!("{} after {took}", end.words())),
            (None, true) => (true, format!("exit 0 in {took}")),
            (Some(want), true) => {
                let found = end.lines.iter().any(|l| l.contains(want.as_str()));
                let detail = if found {
                    format!("exit 0, output has “{want}”")
                } else {
                    format!("output lacks “{want}”")
                };
                (found, detail)
            }
        };
        let mark = if ok { "✔" } else { "✖" };
        progress.output(format!("{mark} {}: {detail}", c.name));
        results.push(ItemResult {
            name: c.name.clone(),
            ok,
            detail,
            output: end.lines,
        });
    }
    Outcome::Checklist(results)
}
