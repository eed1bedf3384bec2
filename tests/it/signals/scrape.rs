//! The scrape source against the simulator: a `-bad` version on the live color is seen,
//! judged and rolled back; a healthy one never is.

use chrono::Duration;
use cutover::app::action::journal::EntryKind;
use cutover::app::action::{Request, RequestOptions};
use cutover::app::signals::{Opened, Window};
use cutover::app::state::State;
use cutover::model::Color;

use super::{deploy_green, route_to, routed_to, Loop};

/// The live color's newest error rate and sample size.
fn green_rate(s: &State) -> Option<(f64, f64)> {
    let j = s.signals.color(Color::Green).last()?;
    Some((j.sample.error_rate?, j.sample.requests?))
}

fn exhausted(s: &State) -> Option<Window> {
    s.signals
        .window_of(Color::Green)
        .filter(|w| w.exhausted.is_some())
        .cloned()
}

/// The budget was spent by `failures_allowed + 1` breaching samples in a row — at the
/// sample that made the streak, so within the detection delay the confirmation shows
/// (counted in samples, not wall-clock time, which a busy machine stretches; a flapping
/// bad version may breach, recover and breach again first).
fn within_the_detection_delay(l: &Loop, w: &Window) {
    let budget = l.state.signals.analysis.failures_allowed + 1;
    assert_eq!(w.streak, budget, "{w:?}");
    assert_eq!(
        w.exhausted_at, w.last_at,
        "exhausted at the streak's last sample: {w:?}"
    );
}

/// NEEDS-SWITCH: the whole story through the real request path. Deploy v2.0.1-bad to green,
/// switch (the `t` key's request), and within the detection delay the state shows green's
/// error rate over 0.1 %, the budget exhausted, the router back on blue and a journal
/// line naming the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_version_is_rolled_back_automatically_after_a_switch() {
    let mut l = Loop::start(|_| {}, |c| c.analysis.auto_rollback = true).await;
    deploy_green(&l.client, "fittrack/api:v2.0.1-bad").await;
    l.ready("v2.0.1-bad").await;
    let options = RequestOptions {
        yes: true,
        reason: Some("release 2.0.1".into()),
        headless: false,
    };
    l.dispatch(Msg::Request(Request::Switch { to: Color::Green }, options));
    l.until("the switch opened an armed window on green", |s| {
        let w = s.signals.window.as_ref()?;
        (w.color == Color::Green && w.opened_by == Opened::OwnSwitch && w.armed).then_some(())
    })
    .await;
    let (rate, n) = l
        .until("green's error rate over 0.1 %", |s| {
            green_rate(s).filter(|(r, n)| *r > 0.001 && *n >= 20.0)
        })
        .await;
    assert!(rate > 0.001, "{rate} of {n}");
    let w = l.until("the budget exhausted", exhausted).await;
    within_the_detection_delay(&l, &w);
    l.until("the router back on blue", |s| {
        routed_to(s, Color::Blue).then_some(())
    })
    .await;
    let reason = format!("auto: {}", w.exhausted.clone().unwrap());
    assert!(reason.starts_with("auto: 5xx "), "{reason}");
    l.until("the rollback recorded", |s| {
        let done = s.actions.running.is_empty();
        let rolled =
            s.actions.history.iter().any(|e| {
                e.kind == EntryKind::Rollback && e.reason.as_deref() == Some(reason.as_str())
            });
        (done && rolled).then_some(())
    })
    .await;
    let journal = l.journal();
    assert!(
        journal.iter().any(|e| e["kind"] == "rollback"
            && e["stage"] == "outcome"
            && e["result"] == "succeeded"
            && e["reason"] == reason.as_str()),
        "{journal:#?}"
    );
    assert!(l
        .state
        .signals
        .banner
        .as_deref()
        .unwrap_or("")
        .contains("AUTO-ROLLBACK"));
}

/// The detection half, without the switch executor: green made live by someone else's
/// router write, a watch with automatic rollback judges it; green's error rate goes over
/// 0.1 % in the state, the budget is exhausted within the detection delay, and the
/// rollback is asked through the `r` path with its reason journaled (its attempt).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_version_exhausts_the_budget_and_asks_for_the_rollback() {
    let mut l = Loop::start(|_| {}, |_| {}).await;
    deploy_green(&l.client, "fittrack/api:v2.0.1-bad").await;
    l.ready("v2.0.1-bad").await;
    route_to(&l.client, Color::Green).await;
    l.until("the router says green", |s| {
        routed_to(s, Color::Green).then_some(())
    })
    .await;
    let until = l.state.now + Duration::minutes(5);
    l.dispatch(Msg::Watch {
        until,
        auto_rollback: true,
    });
    l.until("green's error rate over 0.1 %", |s| {
        green_rate(s).filter(|(r, n)| *r > 0.001 && *n >= 20.0)
    })
    .await;
    let w = l.until("the budget exhausted", exhausted).await;
    within_the_detection_delay(&l, &w);
    let reason = format!("auto: {}", w.exhausted.clone().unwrap());
    let w = l
        .until("the rollback asked", |s| {
            s.signals
                .window_of(Color::Green)
                .filter(|w| w.rollback.is_some())
                .cloned()
        })
        .await;
    let id = w.rollback.unwrap();
    let entry = l
        .until_journal("the rollback's attempt journaled with its reason", |e| {
            e["id"] == id.as_str() && e["kind"] == "rollback"
        })
        .await;
    assert_eq!(entry["reason"], reason.as_str(), "{entry}");
}

/// A healthy version live for 60 judged samples (fast 0.5 s intervals: the design's
/// judgement, compressed): no rollback ever fires and the watch ends healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_version_is_never_rolled_back() {
    let mut l = Loop::start(
        |_| {},
        |c| {
            c.metrics.interval_secs = 0.5;
            c.analysis.min_requests = 10;
        },
    )
    .await;
    l.ready("v2.0.0").await;
    route_to(&l.client, Color::Green).await;
    l.until("the router says green", |s| {
        routed_to(s, Color::Green).then_some(())
    })
    .await;
    let until = l.state.now + Duration::seconds(40);
    l.dispatch(Msg::Watch {
        until,
        auto_rollback: true,
    });
    let w = l
        .until("60 samples judged", |s| {
            s.signals
                .window
                .as_ref()
                .filter(|w| w.counted >= 60)
                .cloned()
        })
        .await;
    assert_eq!(
        (w.failures, w.exhausted, w.rollback, w.alarm),
        (0, None, None, None)
    );
    assert!(routed_to(&l.state, Color::Green));
    assert!(l.state.actions.running.is_empty());
    // Only the switch the test made outside cutover is journaled (as seen), nothing done.
    let done: Vec<_> = l
        .journal()
        .into_iter()
        .filter(|e| e["kind"] != "router-change")
        .collect();
    assert!(done.is_empty(), "nothing was done: {done:?}");
}

use cutover::app::msg::Msg;
