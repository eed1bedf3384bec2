//! `cutover checklist`: every item of the release's checklist, as text or JSON.

use serde::Serialize;

use crate::app::action::standing::{Checklist, ItemState};

/// The checklist as `cutover checklist -o json` prints it (a documented, stable shape).
#[derive(Debug, Serialize, PartialEq)]
pub struct ChecklistJson {
    /// The release's color ("green").
    pub color: String,
    /// Its version.
    pub version: Option<String>,
    /// Required items that do not pass.
    pub required_open: usize,
    /// Every item, in configuration order.
    pub items: Vec<ItemJson>,
}

/// One item.
#[derive(Debug, Serialize, PartialEq)]
pub struct ItemJson {
    /// Its name.
    pub name: String,
    /// "manual", "command", "standby-ready", "smoke-passed", "migrations-applied".
    pub kind: String,
    /// It gates the switch.
    pub required: bool,
    /// "pass", "fail" or "open".
    pub state: String,
    /// What decided it.
    pub detail: String,
    /// The last lines of its command's output.
    pub output: Vec<String>,
}

fn word(s: ItemState) -> &'static str {
    match s {
        ItemState::Pass => "pass",
        ItemState::Fail => "fail",
        ItemState::Open => "open",
    }
}

/// The JSON shape.
pub fn json(cl: &Checklist) -> ChecklistJson {
    ChecklistJson {
        color: cl.color.name().into(),
        version: cl.version.clone(),
        required_open: cl.open_required().len(),
        items: cl
            .items
            .iter()
            .map(|i| ItemJson {
                name: i.name.clone(),
                kind: i.kind.word().into(),
                required: i.required,
                state: word(i.state).into(),
                detail: i.detail.clone(),
                output: i.output.clone(),
            })
            .collect(),
    }
}

/// One line per item: "✔ required  All tests passing in CI — ticked by alice at 10:42:07".
pub fn text(cl: &Checklist) -> String {
    let mut out = vec![format!(
        "checklist of {} {}: {}/{} done",
        cl.color.word(),
        cl.version.as_deref().unwrap_or("?"),
        cl.done(),
        cl.items.len()
    )];
    for i in &cl.items {
        let mark = match i.state {
            ItemState::Pass => "✔",
            ItemState::Fail => "✖",
            ItemState::Open => "·",
        };
        let req = if i.required { "required" } else { "optional" };
        out.push(format!("{mark} {req:<8} {} — {}", i.name, i.detail));
    }
    out.join("\n")
}
