//! The reconnect key against two simulators: the kubeconfig is rewritten to another API
//! server (new URL, new CA) and the first one is gone; `K` re-reads it and every feed comes
//! back from the new server through the real driver.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover::app::msg::Msg;
use cutover::bus::FeedSet;
use cutover::config::demo_config;
use cutover::driver::{Driver, Launch};
use cutover::model::{Feed, FeedStatus};

use crate::support;

/// Folds driver messages until `done` holds (panics after 20 s with `what`).
async fn pump_until(driver: &mut Driver, what: &str, done: impl Fn(&Driver, &Msg) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let msg = tokio::time::timeout_at(deadline, driver.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
        let stop = done(driver, &msg);
        driver.dispatch(msg);
        if stop {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k_rereads_a_rewritten_kubeconfig_and_every_feed_follows() {
    let old = support::sim();
    let new = support::sim();
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::copy(&old.kubeconfig_path, &kubeconfig).expect("copy kubeconfig");
    let connected = cutover::cluster::connect(Some(kubeconfig.clone()), Some("sim".into()))
        .await
        .expect("connects to the first simulator");
    let launch = Launch {
        config: demo_config("fittrack", Some(&old.lb_url)),
        connected,
        read_only: false,
        journal: dir.path().join("journal.jsonl"),
        kubeconfig: Some(kubeconfig.clone()),
    };
    let mut driver = Driver::start(&launch, FeedSet::headless()).expect("driver");
    pump_until(&mut driver, "the first server's facts", |d, _| {
        d.state.facts_ready()
    })
    .await;
    assert_eq!(
        driver.state.session.cluster_url.trim_end_matches('/'),
        old.api_url
    );

    // The cluster moves: the kubeconfig now names another server (and CA); the old is gone.
    std::fs::copy(&new.kubeconfig_path, &kubeconfig).expect("rewrite kubeconfig");
    old.stop();
    driver.dispatch(Msg::Key(KeyEvent::new(
        KeyCode::Char('K'),
        KeyModifiers::SHIFT,
    )));
    pump_until(&mut driver, "the reconnect", |_, m| {
        matches!(m, Msg::Reconnected(_))
    })
    .await;
    assert_eq!(
        driver.state.session.cluster_url.trim_end_matches('/'),
        new.api_url
    );
    // The router feed is live again: only the new server can have answered.
    pump_until(&mut driver, "the router from the new server", |d, m| {
        matches!(m, Msg::Router(_))
            && d.state
                .feeds
                .get(&Feed::Router)
                .is_some_and(|f| f.status == FeedStatus::Live)
    })
    .await;
    let told = format!("{:?}", driver.state.timeline.items());
    assert!(told.contains("reconnected to"), "{told}");
    driver.shutdown().await;
}
