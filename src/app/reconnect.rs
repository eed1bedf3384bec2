//! The reconnect key: re-read the kubeconfig (a rewritten server URL or a new CA) and start
//! every feed again. Decided here; the driver connects and swaps the bus's client.

use super::msg::{Cmd, Reconnection};
use super::state::State;

/// The reconnect key: refused while an action runs (its connection must not change under
/// it), else asked of the driver once.
pub fn key(state: &mut State) -> Vec<Cmd> {
    let running = state.actions.active().next().map(|a| a.name.clone());
    if let Some(name) = running {
        state.flash(format!(
            "not reconnecting while {name} runs; press K again once it has ended"
        ));
        return Vec::new();
    }
    if state.reconnecting {
        state.flash("already reconnecting…");
        return Vec::new();
    }
    state.reconnecting = true;
    state.flash(format!(
        "reconnecting: re-reading the kubeconfig (context {})…",
        state.session.context_name
    ));
    vec![Cmd::Reconnect]
}

/// The driver's answer: the new connection's facts, or why there is none (the old
/// connection and its feeds then carry on).
pub fn done(state: &mut State, result: Result<Reconnection, String>) {
    state.reconnecting = false;
    let now = state.now;
    match result {
        Ok(r) => {
            let text = format!(
                "reconnected to {} (context {}); every feed restarts",
                r.cluster_url, r.context_name
            );
            state.session.cluster_url = r.cluster_url;
            state.session.context_name = r.context_name;
            if r.user.is_some() {
                state.session.user = r.user;
            }
            state.timeline.notice(now, text.clone(), false);
            state.flash(text);
        }
        Err(why) => {
            let text = format!("reconnect failed: {why}; still using the previous connection");
            state.timeline.notice(now, text.clone(), true);
            state.flash(text);
        }
    }
    state.mark_dirty();
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::msg::Msg;
    use crate::app::sample;
    use crate::app::update::update;

    fn k(s: &mut State) -> Vec<Cmd> {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT)),
        )
    }

    fn flash(s: &State) -> String {
        s.flash.as_ref().map(|(t, _)| t.clone()).unwrap_or_default()
    }

    #[test]
    fn k_asks_the_driver_once() {
        let mut s = sample::state(3, 0);
        assert_eq!(k(&mut s), vec![Cmd::Reconnect]);
        assert!(
            flash(&s).contains("re-reading the kubeconfig"),
            "{}",
            flash(&s)
        );
        assert_eq!(k(&mut s), vec![], "a second K while one is under way");
        assert!(flash(&s).contains("already reconnecting"));
    }

    #[test]
    fn no_reconnect_while_an_action_runs() {
        let mut s = sample::state(3, 0);
        // `s` starts a smoke test of the standby color.
        let started = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE)),
        );
        assert!(
            started.iter().any(|c| matches!(c, Cmd::Start { .. })),
            "{started:?}"
        );
        assert_eq!(k(&mut s), vec![]);
        assert!(
            flash(&s).contains("not reconnecting while"),
            "{}",
            flash(&s)
        );
        assert!(!s.reconnecting);
    }

    #[test]
    fn the_answer_says_where_we_are_now_or_why_not() {
        let mut s = sample::state(3, 0);
        k(&mut s);
        let before = s.session.clone();
        update(&mut s, Msg::Reconnected(Err("connection refused".into())));
        assert!(!s.reconnecting);
        assert_eq!(
            s.session, before,
            "a failed reconnect keeps the old connection"
        );
        assert!(flash(&s).contains("reconnect failed: connection refused"));
        k(&mut s);
        update(
            &mut s,
            Msg::Reconnected(Ok(Reconnection {
                context_name: "prod".into(),
                cluster_url: "https://10.0.0.9:6443".into(),
                user: Some("alice".into()),
            })),
        );
        assert_eq!(s.session.cluster_url, "https://10.0.0.9:6443");
        assert_eq!(s.session.user.as_deref(), Some("alice"));
        let told = s
            .timeline
            .items()
            .iter()
            .any(|i| format!("{i:?}").contains("reconnected to https://10.0.0.9:6443"));
        assert!(told, "the timeline keeps it");
    }
}
