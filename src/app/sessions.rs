//! Presence: the cockpit announces itself once (its own short-lived session Lease, renewed
//! by the bus), reads everyone's sessions, and has the abandoned ones deleted. Best effort:
//! a cockpit that may not write Leases is simply not listed, and says why.

use super::access::Need;
use super::msg::Cmd;
use super::peers::{LeaseWrite, SessionView};
use super::state::State;

/// Announce this cockpit once, when its face asked for presence and it may write.
pub fn tick(state: &mut State) -> Vec<Cmd> {
    if !state.peers.announce || state.peers.announced || !state.access.checked {
        return Vec::new();
    }
    state.peers.announced = true;
    if state.session.read_only {
        state.peers.hidden = Some("read-only session: not announced to others".into());
        return Vec::new();
    }
    if let Some(why) = state
        .access
        .missing(&[Need::CreateLeases, Need::UpdateLeases])
    {
        return hidden(state, why);
    }
    vec![Cmd::Lease(LeaseWrite::Announce {
        holder: state.holder(),
    })]
}

/// The sessions were read: keep them; ask once to delete each abandoned one.
pub fn read(state: &mut State, sessions: Vec<SessionView>) -> Vec<Cmd> {
    let now = state.now;
    let mut cmds = Vec::new();
    for s in sessions.iter().filter(|s| s.abandoned(now)) {
        if state.peers.forgetting.insert(s.name.clone()) {
            cmds.push(Cmd::Lease(LeaseWrite::Forget {
                name: s.name.clone(),
                expected: s.resource_version.clone(),
            }));
        }
    }
    state.peers.sessions = sessions;
    state.mark_dirty();
    cmds
}

/// This cockpit's session could not be written: told once, and it is not listed.
pub fn hidden(state: &mut State, why: String) -> Vec<Cmd> {
    let text = format!("not shown to other cockpits: {why}");
    state.timeline.notice(state.now, text, false);
    state.peers.hidden = Some(why);
    state.mark_dirty();
    Vec::new()
}
