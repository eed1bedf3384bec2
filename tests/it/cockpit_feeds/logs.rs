//! Log feeds: attaching to new pods, resuming a cut stream.

use std::time::Duration;

use cutover::model::Color;
use kube::api::{DeleteParams, LogParams};
use serde_json::json;

use super::rig::{Rig, DEADLINE};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_a_new_pod() {
    let mut rig = Rig::start().await;
    let before = rig
        .until("logs from 3 blue pods", |s| {
            let following = s.streams[0].is_some_and(|(f, _)| f == 3);
            let pods: std::collections::BTreeSet<_> = s
                .lines
                .iter()
                .filter(|l| l.color == Color::Blue)
                .map(|l| l.pod.clone())
                .collect();
            (following && pods.len() == 3).then_some(pods)
        })
        .await;
    let victim = before.iter().next().unwrap().clone();
    rig.pods(Color::Blue)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    let newcomer = rig
        .until("log lines from the replacement pod", |s| {
            s.lines
                .iter()
                .find(|l| l.color == Color::Blue && !before.contains(&l.pod))
                .map(|l| l.pod.clone())
        })
        .await;
    assert_ne!(newcomer, victim);
    rig.until("the deleted pod detached", |s| {
        (s.streams[0] == Some((3, 3)) && !s.names(Color::Blue).contains(&victim)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_stream_cut_midway_resumes_without_lost_or_doubled_lines() {
    let mut rig = Rig::start().await;
    let pod = rig
        .until("blue log lines", |s| {
            s.lines
                .iter()
                .find(|l| l.color == Color::Blue && l.ts.is_some())
                .map(|l| l.pod.clone())
        })
        .await;
    // Let it stream a moment past a second boundary, cut every connection (the simulator's
    // `drop_watches` ends watches but not log follows; going down cuts those too), stream on.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    rig.fault(json!({"down_ms": 1500})).await;
    let cut_at = chrono::Utc::now();
    rig.until("lines after the cut", |s| {
        s.lines
            .iter()
            .any(|l| {
                l.pod == pod
                    && l.ts
                        .is_some_and(|t| t > cut_at + chrono::TimeDelta::seconds(1))
            })
            .then_some(())
    })
    .await;
    let got: Vec<(chrono::DateTime<chrono::Utc>, String)> = rig
        .seen
        .lines
        .iter()
        .filter(|l| l.pod == pod)
        .filter_map(|l| Some((l.ts?, l.text.clone())))
        .collect();
    let container = rig
        .seen
        .lines
        .iter()
        .find(|l| l.pod == pod)
        .unwrap()
        .container
        .clone();
    let (first, last) = (got.first().unwrap().0, got.last().unwrap().0);
    let full = rig
        .pods(Color::Blue)
        .logs(
            &pod,
            &LogParams {
                container: Some(container),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let truth: Vec<(chrono::DateTime<chrono::Utc>, String)> = full
        .lines()
        .filter_map(|l| {
            let (ts, text) = cutover::bus::logs::stream::split_timestamp(l);
            Some((ts?, text.to_string()))
        })
        .filter(|(ts, _)| *ts >= first && *ts <= last)
        .collect();
    // The stream really was resumed from a whole second, so the overlap was de-duplicated.
    let resumed = format!("/pods/{pod}/log?");
    support::eventually("the resumed log request", DEADLINE, || async {
        let reqs = support::requests(&rig.sim).await;
        reqs.iter()
            .filter_map(|r| r["path"].as_str())
            .any(|p| p.contains(&resumed) && p.contains("sinceTime="))
            .then_some(())
    })
    .await;
    assert_eq!(got.len(), truth.len(), "lines lost or doubled");
    assert_eq!(got, truth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_limit_follows_some_and_counts_all() {
    let mut rig = Rig::start_with("fittrack", |c| c.logs.max_streams = 2).await;
    rig.until("following 2 of 3 green pods", |s| {
        (s.streams[1] == Some((2, 3))).then_some(())
    })
    .await;
    let pods = rig
        .until("lines of the followed green pods", |s| {
            let pods: std::collections::BTreeSet<_> = s
                .lines
                .iter()
                .filter(|l| l.color == Color::Green)
                .map(|l| l.pod.clone())
                .collect();
            (pods.len() == 2).then_some(pods)
        })
        .await;
    // A moment later, still only those two pods' logs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(m) = rig.rx.try_recv() {
        rig.seen.apply(m);
    }
    assert!(rig
        .seen
        .lines
        .iter()
        .filter(|l| l.color == Color::Green)
        .all(|l| pods.contains(&l.pod)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn green_json_lines_render_as_level_badge_message_and_fields() {
    let mut rig = Rig::start().await;
    rig.until("green JSON log lines", |s| {
        let json = s
            .lines
            .iter()
            .filter(|l| l.color == Color::Green && l.text.starts_with("{\"time\""));
        (json.count() >= 3).then_some(())
    })
    .await;
    // Read once at ingestion: level and message are known in the cockpit's state.
    let green = &rig.state.color(Color::Green).logs;
    let structured: Vec<_> = green.iter().filter(|e| e.parsed.is_structured()).collect();
    assert!(structured.len() >= 3);
    assert!(structured.iter().all(|e| e.parsed.level.is_some()));
    // The green pane (the right half of 120 columns) shows badges, not raw JSON.
    let screen = rig.screen();
    let right: String = screen
        .lines()
        .map(|l| l.chars().skip(60).collect::<String>() + "\n")
        .collect();
    assert!(!right.contains("{\"time\""), "{screen}");
    assert!(right.contains("logger=fittrack.api"), "{screen}");
    assert!(
        ["INF ", "DBG ", "WRN "].iter().any(|b| right.contains(b)),
        "{screen}"
    );
}
