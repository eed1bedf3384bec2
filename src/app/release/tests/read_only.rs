//! A read-only session can never change the cluster, whatever arrives: keys (every release
//! key, confirmations, typed color names, the chord), headless requests with `--yes`, the
//! clock, router changes, breaching signals with auto-rollback asked for, and the answers
//! of actions. A property test over random message sequences: no traffic or workload
//! action starts, nothing is published, no lease is written.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

use super::{fresh, router, smoked};
use crate::app::action::journal::Stage;
use crate::app::action::{Op, Outcome, Request, RequestOptions, SmokeReport};
use crate::app::msg::{Cmd, Msg};
use crate::app::peers::LeaseWrite;
use crate::app::update::update;
use crate::metrics::Sample;
use crate::model::{Color, RouterTarget};

/// One message of the sequence, as an index into the kinds below.
fn message(kind: u8, n: u8, base: chrono::DateTime<chrono::Utc>) -> Msg {
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let color = if n % 2 == 0 {
        Color::Blue
    } else {
        Color::Green
    };
    let yes = RequestOptions {
        yes: true,
        reason: None,
        headless: n % 3 == 0,
    };
    match kind % 12 {
        0 => key(KeyCode::Char(
            b"strpdcyxM GREENBLUEtakeover"[n as usize % 27] as char,
        )),
        1 => key([
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::Backspace,
        ][n as usize % 4]),
        2 => Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
        3 => Msg::Request(Request::Switch { to: color }, yes),
        4 => Msg::Request(Request::Rollback { to: Some(color) }, yes),
        5 => Msg::Request(
            Request::Deploy {
                version: format!("v2.0.{n}"),
                color: Some(color),
            },
            yes,
        ),
        6 => Msg::Request(Request::Decommission { color: Some(color) }, yes),
        7 => Msg::Tick(base + Duration::seconds(i64::from(n) * 7)),
        8 => router(RouterTarget::Color(color)),
        9 => Msg::Watch {
            until: base + Duration::minutes(15),
            auto_rollback: true,
        },
        10 => Msg::Signals {
            color,
            sample: Box::new(Sample {
                at: base + Duration::seconds(i64::from(n) * 5),
                secs: 5.0,
                requests: Some(1000.0),
                errors: Some(200.0),
                error_rate: Some(0.2),
                rps: Some(200.0),
                ..Sample::default()
            }),
        },
        // A running action (a read-only smoke test) ends.
        _ => Msg::ActionDone {
            id: u64::from(n % 4) + 1,
            outcome: Outcome::Smoke(SmokeReport {
                passed: n % 2 == 0,
                checks: vec![],
                suite_exit: None,
                suite_error: None,
                ms: 100,
            }),
        },
    }
}

/// What a read-only session must never ask for.
fn writes(cmd: &Cmd) -> bool {
    match cmd {
        Cmd::Start { op, .. } => !matches!(op, Op::Smoke(_) | Op::Checklist(_)),
        Cmd::Record(_) | Cmd::Postmortem(_) => false,
        Cmd::Lease(LeaseWrite::Claim(_) | LeaseWrite::Announce { .. }) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn no_message_sequence_makes_a_read_only_session_write(
        msgs in proptest::collection::vec((any::<u8>(), any::<u8>()), 1..60),
        smoke_passed in any::<bool>(),
    ) {
        let mut s = if smoke_passed { smoked() } else { fresh() };
        s.session.read_only = true;
        let base = s.now;
        for (kind, n) in msgs {
            let cmds = update(&mut s, message(kind, n, base));
            for cmd in &cmds {
                prop_assert!(!writes(cmd), "read-only session asked for {:?}", cmd);
                // Outcomes are journaled locally only: nothing reaches the cluster (an
                // attempt's `Record` is written locally only, by the journal's rule).
                prop_assert!(
                    !matches!(cmd, Cmd::Record(e) if e.stage == Stage::Outcome),
                    "published {:?}",
                    cmd
                );
            }
        }
    }
}
