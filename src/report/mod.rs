//! Reports built from the state or the journal, as text for people and JSON for programs:
//! `cutover status`, `cutover journal` (text, JSON, and the markdown post-mortem),
//! `cutover checklist`.

pub mod checklist;
pub mod journal;
pub mod status;
