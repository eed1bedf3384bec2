//! The driver lease's decisions: who drives, whether a traffic action may take the lease
//! (or must be taken over with a typed confirmation), renewal while this cockpit drives,
//! release on quit, and telling the driver at once when someone else takes over.

use chrono::Duration;

use crate::app::action::{Gate, GateState};
use crate::app::msg::Cmd;
use crate::app::peers::{LeaseClaim, LeaseEvent, LeaseView, LeaseWrite, LEASE_SECS, RENEW_SECS};
use crate::app::state::State;
use crate::model::age_text;

/// What is typed to take the driver lease over from another cockpit.
pub const TAKEOVER: &str = "takeover";

/// What the lease asks of a traffic or workload action (rollback excepted: never blocked).
#[derive(Debug, Clone, PartialEq)]
pub enum Takeover {
    /// Nobody else drives.
    Free,
    /// A headless command while someone else drives: refused, naming them.
    Refused(String),
    /// In the cockpit: the journaled gate and the warning of a typed takeover.
    Typed {
        /// Who was driving, for the journal.
        gate: Gate,
        /// What the confirmation says.
        warning: String,
    },
}

/// What the lease asks of an action (`what`: "switch", "deploy", ...).
pub fn takeover(state: &State, headless: bool, what: &str) -> Takeover {
    match standing(state) {
        Standing::Held(words) if headless => Takeover::Refused(format!(
            "{words}; take over from a cockpit (typed confirmation)"
        )),
        Standing::Held(words) => Takeover::Typed {
            gate: driver_gate(&words, "taken over by a typed confirmation"),
            warning: format!("{words}: type {TAKEOVER} to take the driver lease and {what}"),
        },
        Standing::Free | Standing::Mine => Takeover::Free,
    }
}

/// Apply the lease to an action about to be confirmed (`what`: "switch", "deploy", ...):
/// nothing while nobody else drives; `Err(why)` for a headless command while someone else
/// does; else the driver gate, a typed `takeover` and its warning (after any other).
pub fn require(
    state: &State,
    what: &str,
    gates: &mut Vec<Gate>,
    expect: &mut Option<String>,
    warning: &mut Option<String>,
    options: &mut crate::app::action::RequestOptions,
) -> Result<(), String> {
    match takeover(state, options.headless, what) {
        Takeover::Free => Ok(()),
        Takeover::Refused(why) => Err(why),
        Takeover::Typed { gate, warning: w } => {
            gates.push(gate);
            *expect = Some(TAKEOVER.to_string());
            *warning = Some(match warning.take() {
                Some(first) => format!("{first}; {w}"),
                None => w,
            });
            options.yes = false;
            Ok(())
        }
    }
}

/// Where the lease stands for this cockpit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nobody holds a fresh lease: the first traffic action takes it.
    Free,
    /// This cockpit drives.
    Mine,
    /// Someone else drives: who and since when, in words.
    Held(String),
}

/// Where the lease stands now.
pub fn standing(state: &State) -> Standing {
    match &state.peers.lease {
        Some(l) if l.fresh(state.now) && l.holder == state.holder() => Standing::Mine,
        Some(l) if l.fresh(state.now) => Standing::Held(driving_words(state, l)),
        _ => Standing::Free,
    }
}

/// "alice@laptop is driving since 10:02 (renewed 3s ago)".
pub fn driving_words(state: &State, l: &LeaseView) -> String {
    let since = l
        .acquired
        .map(|t| format!(" since {}", &state.zone.hms(t)[..5]))
        .unwrap_or_default();
    let renewed = l
        .renewed
        .map(|t| format!(" (renewed {} ago)", age_text((state.now - t).num_seconds())))
        .unwrap_or_default();
    format!("{} is driving{since}{renewed}", l.holder)
}

/// The claim a traffic action makes before it acts: None when this cockpit drives already.
pub fn claim(state: &State) -> Option<LeaseClaim> {
    if standing(state) == Standing::Mine {
        return None;
    }
    Some(LeaseClaim {
        holder: state.holder(),
        expected: state
            .peers
            .lease
            .as_ref()
            .map(|l| l.resource_version.clone()),
        acquired: None,
        duration_secs: LEASE_SECS,
    })
}

/// The journaled note of an action taken while someone else drives (a takeover, or a
/// rollback, which the lease never blocks).
pub fn driver_gate(words: &str, what: &str) -> Gate {
    Gate {
        name: "driver",
        state: GateState::Warn,
        detail: format!("{words}; {what}"),
        fix: None,
    }
}

/// Renew the lease while this cockpit drives (one write every [`RENEW_SECS`]).
pub fn tick(state: &mut State) -> Vec<Cmd> {
    if state.peers.writing || state.session.read_only || standing(state) != Standing::Mine {
        return Vec::new();
    }
    let Some(l) = state.peers.lease.clone() else {
        return Vec::new();
    };
    let due = l
        .renewed
        .is_none_or(|t| state.now - t >= Duration::seconds(RENEW_SECS));
    if !due {
        return Vec::new();
    }
    state.peers.writing = true;
    vec![Cmd::Lease(LeaseWrite::Claim(LeaseClaim {
        holder: l.holder.clone(),
        expected: Some(l.resource_version.clone()),
        acquired: l.acquired,
        duration_secs: LEASE_SECS,
    }))]
}

/// What to write on quit: release the lease when this cockpit drives.
pub fn release(state: &State) -> Option<LeaseWrite> {
    (standing(state) == Standing::Mine).then(|| LeaseWrite::Release {
        expected: state
            .peers
            .lease
            .as_ref()
            .map(|l| l.resource_version.clone())
            .unwrap_or_default(),
    })
}

/// The lease was read or written: keep the newest reading; tell a change of driver.
pub fn event(state: &mut State, event: LeaseEvent) -> Vec<Cmd> {
    let view = match event {
        LeaseEvent::Read(view) => view,
        LeaseEvent::Wrote(Ok(view)) => {
            state.peers.writing = false;
            Some(view)
        }
        LeaseEvent::Sessions(_) | LeaseEvent::Hidden(_) => return Vec::new(),
        LeaseEvent::Wrote(Err(e)) => {
            state.peers.writing = false;
            state
                .timeline
                .notice(state.now, format!("driver lease: {e}"), true);
            state.mark_dirty();
            return Vec::new();
        }
    };
    let rv = |v: &LeaseView| v.resource_version.parse::<u64>().ok();
    if let (Some(old), Some(new)) = (&state.peers.lease, &view) {
        if matches!((rv(old), rv(new)), (Some(a), Some(b)) if b < a) {
            return Vec::new();
        }
    }
    let before = state.peers.lease.as_ref().map(|l| l.holder.clone());
    let was_mine = standing(state) == Standing::Mine;
    state.peers.lease = view;
    let after = state.peers.lease.clone().filter(|l| !l.holder.is_empty());
    let me = state.holder();
    match after {
        Some(l) if Some(&l.holder) != before.as_ref() && l.holder != me => {
            let text = if was_mine {
                format!("{} took over driving from you", l.holder)
            } else {
                driving_words(state, &l)
            };
            state.timeline.notice(state.now, text.clone(), was_mine);
            state.flash(text);
        }
        Some(l) if Some(&l.holder) != before.as_ref() => {
            state
                .timeline
                .notice(state.now, format!("you ({}) are driving", l.holder), false);
        }
        None if before.as_ref().is_some_and(|b| !b.is_empty() && *b != me) => {
            let text = format!("{} stopped driving", before.unwrap_or_default());
            state.timeline.notice(state.now, text, false);
        }
        _ => {}
    }
    state.mark_dirty();
    Vec::new()
}
