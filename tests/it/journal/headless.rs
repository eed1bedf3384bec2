//! `cutover journal` through the real binary: the shared history written by two identities
//! (and one hostile client), selected by `--since`, as text, JSON lines and markdown.

use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{Duration, Utc};
use cutover::app::action::journal::{Entry, EntryKind, Result as R};
use kube_sim::SimHandle;

use super::{at, outcome, write_history, Writer};
use crate::support;

/// Run `cutover journal ARGS` as alice; stdout (the run must succeed).
async fn journal(sim: &SimHandle, dir: &Path, args: &[&str]) -> String {
    let config = dir.join("cutover.toml");
    let text = cutover::config::demo::scenario_toml("fittrack", Some(&sim.lb_url));
    std::fs::write(&config, text).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.arg("--kubeconfig")
        .arg(&sim.kubeconfig_path)
        .args(["--context", "sim-alice", "--config"])
        .arg(&config)
        .arg("journal")
        .args(args)
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env_remove("CUTOVER_CONFIG")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("cutover runs"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "cutover journal {args:?}: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\u{7}'),
        "an escape sequence reached stdout: {stdout:?}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_prints_both_identities_entries_in_order_cleaned() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let old = at(
        now - Duration::hours(3),
        "bob",
        EntryKind::Switch,
        R::Succeeded,
        "old switch",
    );
    let mut hostile = at(
        now - Duration::minutes(5),
        "mallory",
        EntryKind::Smoke,
        R::Failed,
        "smoke\x1b]0;owned\x07 failed\x1b[2J",
    );
    hostile.reason = Some("line\nbreak\x1b[31m".into());
    let text = [&old, &hostile]
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect();
    write_history(&sim.client("sim").await, text).await;

    let mut alice = Writer::start(&sim, "sim-alice", tmp.path().join("a.jsonl")).await;
    let mut bob = Writer::start(&sim, "sim-bob", tmp.path().join("b.jsonl")).await;
    let smoke = outcome(
        "alice",
        EntryKind::Smoke,
        R::Succeeded,
        "smoke GREEN v2.0.0 passed",
    );
    alice.record_ok(smoke.clone()).await;
    let mut switch = outcome(
        "bob",
        EntryKind::Switch,
        R::Succeeded,
        "switched BLUE → GREEN",
    );
    switch.reason = Some("release 2.0".into());
    bob.record_ok(switch.clone()).await;
    let mut rollback = outcome("alice", EntryKind::Rollback, R::Succeeded, "rolled back");
    rollback.reason = Some("errors | 5xx".into());
    alice.record_ok(rollback.clone()).await;
    drop((alice, bob));
    let recent: Vec<&Entry> = vec![&hostile, &smoke, &switch, &rollback];

    // Text: one line per entry since 2 h, oldest first.
    let out = journal(&sim, tmp.path(), &["--since", "2h"]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), recent.len(), "{out}");
    for (line, e) in lines.iter().zip(&recent) {
        assert!(
            line.contains(e.who.get(..3).unwrap()),
            "{line} vs {}",
            e.who
        );
        assert!(line.contains(e.kind.word()), "{line}");
    }
    assert!(lines[2].contains("switched BLUE → GREEN") && lines[2].contains("release 2.0"));
    assert!(!out.contains("old switch"));

    // JSON lines: the entries themselves.
    let out = journal(&sim, tmp.path(), &["--since", "2h", "-o", "json"]).await;
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Entry>(l).unwrap().id)
        .collect();
    let want: Vec<String> = recent.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, want);

    // Markdown: a post-mortem table of everything, one row per entry.
    let out = journal(&sim, tmp.path(), &["-o", "markdown"]).await;
    assert!(
        out.starts_with("# Release timeline — httproute fittrack/fittrack"),
        "{out}"
    );
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| 20")).collect();
    assert_eq!(rows.len(), 5, "{out}");
    assert!(rows[0].contains("old switch"));
    assert!(
        rows[3].contains("| bob |") && rows[3].contains("release 2.0"),
        "{}",
        rows[3]
    );
    assert!(
        rows[4].contains("errors \\| 5xx"),
        "a | in a cell is escaped: {}",
        rows[4]
    );
    assert!(rows
        .iter()
        .all(|r| r.matches(" | ").count() == rows[0].matches(" | ").count()));
}
