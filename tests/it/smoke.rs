//! Integration tests (SMOKE): the smoke executor through the bus (`Cmd::Start` →
//! `Msg::ActionDone`) against the in-process simulator, and the headless `cutover smoke`.

mod checks;
mod headless;
mod rig;
mod suite;
