//! Publishing outcomes: each leaves a local line, an Event and a history entry; racing
//! writers both land; the history keeps the last 100; refusals and unwritable journals are
//! reported, and the local line survives a refused publish.

use std::os::unix::fs::PermissionsExt;

use cutover::app::action::journal::{EntryKind, Result as R, Stage};
use cutover::bus::journal::event::{event_name, NOTE_MAX};
use cutover::bus::journal::HISTORY_MAX;
use serde_json::json;

use super::{at, cluster_history, cutover_events, local_lines, outcome, write_history, Writer, NS};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_outcome_leaves_a_local_line_an_event_and_a_history_entry() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp
        .path()
        .join("state")
        .join("cutover")
        .join("journal.jsonl");
    let mut alice = Writer::start(&sim, "sim-alice", path.clone()).await;

    let mut attempt = outcome("alice", EntryKind::Switch, R::Succeeded, "switch started");
    attempt.stage = Stage::Attempt;
    attempt.result = None;
    let long = format!("smoke GREEN failed: {}", "é".repeat(800));
    let outcomes = vec![
        (
            outcome(
                "alice",
                EntryKind::Switch,
                R::Succeeded,
                "switched BLUE → GREEN",
            ),
            "TrafficSwitched",
            "Normal",
            "Switch",
        ),
        (
            outcome(
                "alice",
                EntryKind::Rollback,
                R::Succeeded,
                "rolled back to BLUE",
            ),
            "RolledBack",
            "Warning",
            "Rollback",
        ),
        (
            outcome(
                "alice",
                EntryKind::Switch,
                R::Refused,
                "switch to GREEN refused: smoke",
            ),
            "SwitchRefused",
            "Warning",
            "Switch",
        ),
        (
            outcome(
                "alice",
                EntryKind::Smoke,
                R::Succeeded,
                "smoke GREEN passed 6/6",
            ),
            "SmokePassed",
            "Normal",
            "Smoke",
        ),
        (
            outcome("alice", EntryKind::Smoke, R::Failed, &long),
            "SmokeFailed",
            "Warning",
            "Smoke",
        ),
        (
            outcome(
                "alice",
                EntryKind::Switch,
                R::Failed,
                "switch to GREEN failed: 500",
            ),
            "SwitchFailed",
            "Warning",
            "Switch",
        ),
    ];

    let r = alice.record_ok(attempt.clone()).await;
    assert_eq!(r.stage, Stage::Attempt);
    for (e, ..) in &outcomes {
        alice.record_ok(e.clone()).await;
    }

    // The local journal: every entry in order, 0600 in a 0700 directory, nothing else.
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let mut expected = vec![attempt.clone()];
    expected.extend(outcomes.iter().map(|(e, ..)| e.clone()));
    assert_eq!(local_lines(&path), expected);

    // One Event per outcome (none for the attempt), regarding the router.
    let client = sim.client("sim").await;
    let events = cutover_events(&client).await;
    assert_eq!(events.len(), outcomes.len(), "{events:#?}");
    for (e, reason, kind, action) in &outcomes {
        let name = event_name(&e.id);
        let ev = events
            .iter()
            .find(|ev| ev.metadata.name.as_deref() == Some(name.as_str()))
            .unwrap_or_else(|| panic!("no Event {name}"));
        assert_eq!(ev.reason.as_deref(), Some(*reason), "{name}");
        assert_eq!(ev.type_.as_deref(), Some(*kind), "{name}");
        assert_eq!(ev.action.as_deref(), Some(*action), "{name}");
        let note = ev.note.as_deref().unwrap();
        if e.summary.len() > NOTE_MAX {
            assert!(note.len() <= NOTE_MAX && note.ends_with('…'), "{note}");
            assert!(e.summary.starts_with(note.trim_end_matches('…')));
        } else {
            assert_eq!(note, e.summary);
        }
        let r = ev.regarding.as_ref().unwrap();
        assert_eq!(r.kind.as_deref(), Some("HTTPRoute"));
        assert_eq!(
            r.api_version.as_deref(),
            Some("gateway.networking.k8s.io/v1")
        );
        assert_eq!(
            (r.name.as_deref(), r.namespace.as_deref()),
            (Some("fittrack"), Some(NS))
        );
        assert!(ev
            .reporting_instance
            .as_deref()
            .is_some_and(|i| i.starts_with("cutover@")));
        let micros = ev.event_time.as_ref().unwrap().0.as_microsecond();
        assert_eq!(micros, e.at.timestamp_micros(), "{name}: eventTime in µs");
    }

    // The shared history: the outcomes, oldest first.
    let ids: Vec<_> = cluster_history(&client)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    let want: Vec<_> = outcomes.iter().map(|(e, ..)| e.id.clone()).collect();
    assert_eq!(ids, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_racing_on_the_history_both_land() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let mut alice = Writer::start(&sim, "sim-alice", tmp.path().join("a.jsonl")).await;
    let mut bob = Writer::start(&sim, "sim-bob", tmp.path().join("b.jsonl")).await;
    // Every request waits before it is served, so both writers read the same version.
    support::fault(&sim, json!({"latency_ms": 400})).await;
    let mut ids = vec![];
    // First round: the ConfigMap is absent, both create it (one gets AlreadyExists).
    // Second round: both replace the version they read (one gets Conflict).
    for round in ["first", "second"] {
        let a = outcome(
            "alice",
            EntryKind::Smoke,
            R::Succeeded,
            &format!("{round} alice"),
        );
        let b = outcome(
            "bob",
            EntryKind::Smoke,
            R::Succeeded,
            &format!("{round} bob"),
        );
        ids.extend([a.id.clone(), b.id.clone()]);
        let (a_id, b_id) = (a.id.clone(), b.id.clone());
        alice.record(a);
        bob.record(b);
        let (ra, rb) = tokio::join!(alice.recorded(&a_id), bob.recorded(&b_id));
        assert_eq!((ra.cluster, rb.cluster), (Ok(()), Ok(())), "{round} round");
    }
    support::fault(&sim, json!({"latency_ms": 0})).await;

    let client = sim.client("sim").await;
    let mut landed: Vec<_> = cluster_history(&client)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    landed.sort();
    ids.sort();
    assert_eq!(landed, ids, "every racing write landed");

    // The race really happened: a create and a replace were refused and retried.
    let log = support::requests(&sim).await;
    let refused = |method: &str, path: &str| {
        log.iter().any(|r| {
            r["method"] == method
                && r["status"] == 409
                && r["path"].as_str().is_some_and(|p| p.contains(path))
        })
    };
    assert!(
        refused("POST", "/namespaces/fittrack/configmaps"),
        "no AlreadyExists"
    );
    assert!(refused("PUT", "/configmaps/cutover-history"), "no Conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_keeps_the_last_hundred() {
    let sim = support::sim();
    let client = sim.client("sim").await;
    let old = chrono::Utc::now() - chrono::Duration::hours(1);
    let seeded: Vec<_> = (0..HISTORY_MAX as i64)
        .map(|i| {
            let when = old + chrono::Duration::seconds(i);
            at(
                when,
                "bob",
                EntryKind::Smoke,
                R::Succeeded,
                &format!("old {i}"),
            )
        })
        .collect();
    let text = seeded
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect::<String>();
    write_history(&client, text).await;

    let tmp = tempfile::tempdir().unwrap();
    let mut alice = Writer::start(&sim, "sim-alice", tmp.path().join("j.jsonl")).await;
    let new = [
        outcome("alice", EntryKind::Switch, R::Succeeded, "new 1"),
        outcome("alice", EntryKind::Switch, R::Succeeded, "new 2"),
    ];
    for e in &new {
        alice.record_ok(e.clone()).await;
    }
    let ids: Vec<_> = cluster_history(&client)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut want: Vec<_> = seeded[2..].iter().map(|e| e.id.clone()).collect();
    want.extend(new.iter().map(|e| e.id.clone()));
    assert_eq!(ids.len(), HISTORY_MAX);
    assert_eq!(ids, want, "the two oldest made room");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_publish_is_reported_and_recorded_locally() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("journal.jsonl");
    let mut viewer = Writer::start(&sim, "sim-viewer", path.clone()).await;
    let e = outcome(
        "viewer",
        EntryKind::Switch,
        R::Succeeded,
        "switched BLUE → GREEN",
    );
    let r = viewer.write(e.clone()).await;
    assert_eq!(r.local, Ok(()));
    let err = r.cluster.expect_err("a viewer may not publish");
    assert!(err.starts_with("event: 403 Forbidden: "), "{err}");
    assert!(err.contains("; history: 403 Forbidden: "), "{err}");
    assert!(err.contains("configmaps"), "says what was refused: {err}");

    // The entry, then the same entry with why it is not in the cluster.
    let lines = local_lines(&path);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert_eq!(lines[0], e);
    assert_eq!(lines[1].id, e.id);
    assert_eq!(lines[1].publish_error.as_deref(), Some(err.as_str()));
    assert_eq!(
        cutover::app::action::journal::Entry {
            output: Vec::new(),
            publish_error: None,
            ..lines[1].clone()
        },
        e
    );

    let client = sim.client("sim").await;
    assert!(cutover_events(&client).await.is_empty());
    assert!(cluster_history(&client).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_journal_is_reported_naming_the_path() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    // A "directory" that is a file: unwritable for everyone, root included.
    let blocker = tmp.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let mut paths = vec![blocker.join("journal.jsonl")];
    // A read-only directory (root writes there anyway: then only the case above is tested).
    let ro = tmp.path().join("read-only");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
    if std::fs::write(ro.join("probe"), "").is_err() {
        paths.push(ro.join("journal.jsonl"));
    } else {
        eprintln!("NOTICE: running as root: a read-only directory is writable; not tested");
    }
    let client = sim.client("sim").await;
    for path in paths {
        let mut alice = Writer::start(&sim, "sim-alice", path.clone()).await;
        let e = outcome(
            "alice",
            EntryKind::Rollback,
            R::Succeeded,
            "rolled back to BLUE",
        );
        let r = alice.write(e.clone()).await;
        let err = r.local.expect_err("the journal cannot be written");
        let dir = path.parent().unwrap().display().to_string();
        assert!(err.contains(&dir), "names the path: {err}");
        // Nothing else is lost: the cluster still has it.
        assert_eq!(r.cluster, Ok(()));
        assert!(cluster_history(&client).await.iter().any(|h| h.id == e.id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_api_neither_stalls_the_local_journal_nor_the_writer() {
    let sim = support::sim();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("journal.jsonl");
    let mut alice = Writer::start(&sim, "sim-alice", path.clone()).await;
    // Every request now takes longer than a cluster write may.
    support::fault(&sim, json!({"latency_ms": 8000})).await;
    let done = outcome(
        "alice",
        EntryKind::Smoke,
        R::Succeeded,
        "smoke GREEN passed",
    );
    let mut next = outcome(
        "alice",
        EntryKind::Rollback,
        R::Succeeded,
        "rollback started",
    );
    next.stage = Stage::Attempt;
    next.result = None;
    alice.record(done.clone());
    alice.record(next.clone());

    // The next action's attempt is on disk while the outcome before it still publishes.
    let first = loop {
        if let cutover::app::msg::Msg::Recorded(r) = alice.next("a Recorded").await {
            break r;
        }
    };
    assert_eq!(
        (first.id.as_str(), first.local.clone()),
        (next.id.as_str(), Ok(()))
    );
    let ids: Vec<_> = local_lines(&path).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, [done.id.clone(), next.id.clone()]);

    // The publish gives up instead of waiting for the API, and says so locally.
    let r = alice.recorded(&done.id).await;
    let err = r.cluster.expect_err("the API did not answer");
    assert!(err.contains("event: no answer within 5 s"), "{err}");
    assert!(err.contains("history: no answer within 5 s"), "{err}");
    let lines = local_lines(&path);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2].id, done.id);
    assert_eq!(lines[2].publish_error.as_deref(), Some(err.as_str()));
    support::fault(&sim, json!({"latency_ms": 0})).await;
}
