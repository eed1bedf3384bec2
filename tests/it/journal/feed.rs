//! The shared-history feed: a missing ConfigMap is an empty, loaded history; a write by
//! another client reaches a running bus as a watch event; hostile text arrives cleaned.

use std::time::{Duration, Instant};

use cutover::app::action::journal::{EntryKind, Result as R};
use cutover::app::state::{Session, State};
use cutover::app::update::update;
use cutover::config::demo_config;

use super::{outcome, write_history, Writer};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_history_is_empty_and_loaded() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let mut alice = Writer::start(&sim, "sim-alice", tmp.path().join("j.jsonl")).await;
    let first = alice.history("the first history", |_| true).await;
    assert!(first.is_empty(), "{first:?}");

    // Headless requests wait for this: the core now counts the history as read.
    let session = Session {
        context_name: "sim-alice".into(),
        cluster_url: sim.api_url.clone(),
        read_only: false,
        user: None,
        kube_user: None,
    };
    let mut state = State::new(&demo_config("fittrack", None), session, chrono::Utc::now());
    assert!(!state.actions.history_loaded);
    update(&mut state, cutover::app::msg::Msg::History(first));
    assert!(state.actions.history_loaded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_writers_entry_reaches_a_running_bus_by_watch() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let mut alice = Writer::loaded(&sim, "sim-alice", tmp.path().join("a.jsonl")).await;
    let mut bob = Writer::start(&sim, "sim-bob", tmp.path().join("b.jsonl")).await;

    for n in 0..2 {
        let e = outcome(
            "bob",
            EntryKind::Switch,
            R::Succeeded,
            &format!("bob's switch {n}"),
        );
        let id = e.id.clone();
        bob.record_ok(e).await;
        let written = Instant::now();
        let seen = alice
            .history("bob's entry", |h| h.iter().any(|x| x.id == id))
            .await;
        let took = written.elapsed();
        eprintln!("bob's entry {n} reached alice's bus {took:?} after it was written");
        // The feed's watch times out every 30 s: arriving well before that means it came as
        // a watch event, not with the next relist.
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert_eq!(seen.last().map(|e| e.who.as_str()), Some("bob"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_history_text_arrives_cleaned() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let mut alice = Writer::loaded(&sim, "sim-alice", tmp.path().join("a.jsonl")).await;
    let mut e = outcome(
        "mallory",
        EntryKind::Switch,
        R::Succeeded,
        "ok\x1b]0;owned\x07\x1b[2J",
    );
    e.who = "mal\x1b[31mlory".into();
    e.reason = Some("because\u{202e}txet".into());
    let text = format!("{}\nnot an entry\n", serde_json::to_string(&e).unwrap());
    write_history(&sim.client("sim").await, text).await;
    let got = alice.history("mallory's entry", |h| !h.is_empty()).await;
    assert_eq!(got.len(), 1, "the line that is not an entry is skipped");
    let g = &got[0];
    let shown = format!(
        "{} {} {}",
        g.who,
        g.summary,
        g.reason.as_deref().unwrap_or("")
    );
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{202e}'),
        "{shown}"
    );
    assert!(
        g.summary.starts_with("ok") && g.who.starts_with("mal"),
        "{shown}"
    );
}
