//! The Prometheus source against a real Prometheus (Debian's `prometheus`, installed by
//! `.ci/run`): it scrapes the simulator's pods every second through `cutover sim
//! --prometheus-sd`'s file, and cutover's PromQL templates tell the same error-rate story
//! as the scrape source. Skipped, with a notice, where the binary is absent.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cutover::config::metrics::{PrometheusConfig, Source};
use cutover::model::Color;

use super::{deploy_green, route_to, routed_to, Loop};
use cutover::app::msg::Msg;

/// A Prometheus of our own on a free loopback port, killed on drop.
struct Prometheus {
    child: Child,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have_prometheus() -> bool {
    let ok = Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("NOTICE: prometheus not on PATH (.ci/run installs Debian's); skipping the Prometheus source test");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Start Prometheus scraping the targets in `sd` every second; returns once it is ready.
async fn start(dir: &Path, sd: &Path) -> Prometheus {
    let port = free_port();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: sim\n    file_sd_configs:\n      - files: ['{}']\n        refresh_interval: 1s\n",
            sd.display()
        ),
    )
    .unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let p = Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let ready = format!("{}/-/ready", p.url);
    crate::support::eventually("prometheus ready", Duration::from_secs(60), || async {
        let r = http.get(&ready).send().await.ok()?;
        r.status().is_success().then_some(())
    })
    .await;
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prometheus_source_tells_the_same_error_rate_story() {
    if !have_prometheus() {
        return;
    }
    crate::support::init();
    let dir = tempfile::tempdir().unwrap();
    let sd = dir.path().join("targets.json");
    let prom = start(dir.path(), &sd).await;
    let url = prom.url.clone();
    let sd_path = sd.clone();
    let mut l = Loop::start(
        move |o| o.prometheus_sd = Some(sd_path),
        move |c| {
            c.metrics.source = Source::Prometheus;
            c.metrics.prometheus = Some(PrometheusConfig {
                window: "5s".into(),
                backfill_minutes: 1.0,
                ..PrometheusConfig::at(&url)
            });
        },
    )
    .await;
    deploy_green(&l.client, "fittrack/api:v2.0.1-bad").await;
    l.ready("v2.0.1-bad").await;
    route_to(&l.client, Color::Green).await;
    l.until("the router says green", |s| {
        routed_to(s, Color::Green).then_some(())
    })
    .await;
    let until = l.state.now + chrono::Duration::minutes(5);
    l.dispatch(Msg::Watch {
        until,
        auto_rollback: false,
    });
    let (rate, n) = l
        .until("Prometheus says green's error rate is over 0.1 %", |s| {
            let j = s.signals.color(Color::Green).last()?;
            let x = &j.sample;
            (x.health.ok == x.health.asked && x.health.asked > 0)
                .then_some(())
                .and(x.error_rate.zip(x.requests))
                .filter(|(r, n)| *r > 0.001 && *n >= 20.0)
        })
        .await;
    assert!(
        rate < 0.5,
        "a -bad version fails about 5 %, not {rate} (of {n})"
    );
    let w = l
        .until("the budget exhausted", |s| {
            s.signals
                .window
                .as_ref()
                .filter(|w| w.exhausted.is_some())
                .cloned()
        })
        .await;
    let reason = w.exhausted.unwrap();
    assert!(reason.starts_with("5xx "), "{reason}");
    // The custom signals' PromQL answers too (the demo's DB pool usage).
    let pool = l
        .state
        .signals
        .color(Color::Green)
        .last()
        .unwrap()
        .sample
        .custom[0];
    assert!(pool.is_some_and(|v| (0.0..=1.0).contains(&v)), "{pool:?}");
    drop(prom);
}
