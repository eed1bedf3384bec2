//! The confirmation of an action: it carries the exact action it confirms (the plan, with
//! the router values the user saw), the gates as they stood, and what must be typed. The
//! same text is drawn in the cockpit's modal and asked by headless commands.

use super::{Gate, GateState, Op, Request, RequestOptions, SwitchKind};

/// Which field of the confirmation takes typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The answer (`y`, or the color's name when typing is required).
    Answer,
    /// The optional reason, recorded in the journal.
    Reason,
}

/// An open confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// What was asked.
    pub request: Request,
    /// The situation as it stood when the question opened: the router from → to, each
    /// color's version and ready pods, how the switch will be verified.
    pub situation: Vec<String>,
    /// How it was asked.
    pub options: RequestOptions,
    /// The exact action confirmed.
    pub op: Op,
    /// The gates as they stood when it opened.
    pub gates: Vec<Gate>,
    /// What must be typed to confirm (None: `y` or Enter).
    pub expect: Option<String>,
    /// Why typing is required, when it is.
    pub warning: Option<String>,
    /// Typed so far.
    pub input: String,
    /// The reason typed so far.
    pub reason: String,
    /// Which field takes typing.
    pub field: Field,
}

impl Confirm {
    /// The title: "SWITCH traffic to GREEN?".
    pub fn title(&self) -> String {
        match &self.op {
            Op::Switch(p) if p.kind == SwitchKind::Rollback => {
                format!("ROLL BACK traffic to {}?", p.to.word())
            }
            Op::Switch(p) => format!("SWITCH traffic to {}?", p.to.word()),
            Op::Smoke(p) => format!("Smoke-test {}?", p.color.word()),
            Op::Deploy(p) => format!("DEPLOY {} to {}?", p.version, p.color.word()),
            Op::Decommission(p) => format!("DECOMMISSION {}?", p.color.word()),
            Op::ScaleUp(p) if p.then.is_some() => format!(
                "{0} is decommissioned: SCALE UP {0}, then ROLL BACK?",
                p.color.word()
            ),
            Op::ScaleUp(p) => format!("SCALE UP {}?", p.color.word()),
            Op::Checklist(p) => format!("Run the checklist's commands for {}?", p.color.word()),
        }
    }

    /// Whether the typed answer confirms.
    pub fn answered(&self) -> bool {
        match &self.expect {
            Some(word) => self.input.trim().eq_ignore_ascii_case(word),
            None => true,
        }
    }

    /// The whole question, one line each: the situation, each gate, what to type. Shared
    /// by the modal and the headless question.
    pub fn lines(&self) -> Vec<String> {
        let mut out = self.situation.clone();
        for g in &self.gates {
            let mark = match g.state {
                GateState::Pass => "✔",
                GateState::Warn => "!",
                GateState::Fail => "✖",
            };
            out.push(format!("{mark} {}: {}", g.name, g.detail));
        }
        if let Some(w) = &self.warning {
            out.push(format!("! {w}"));
        }
        out.push(match &self.expect {
            Some(word) => format!("type {word} and Enter to confirm, Esc to cancel"),
            None => "y or Enter confirms, n or Esc cancels".into(),
        });
        out
    }
}
