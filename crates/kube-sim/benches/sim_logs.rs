//! Log lines per second delivered to 50 followers in the `load` scenario.
//!
//! Run: `cargo bench --bench sim_logs` (optionally `-- SECONDS FOLLOWERS`). Starts an
//! in-process simulator (`load`: 200 pods per color, 250 app lines/s each), opens N
//! `follow=true` log streams with kube-rs on distinct pods, and counts lines received.

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};
use kube_sim::cluster::Tuning;
use kube_sim::{start, SimOptions};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let secs: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(10);
    let followers: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    let _ = rustls::crypto::ring::default_provider().install_default();
    for v in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        std::env::remove_var(v);
    }
    let opts = SimOptions {
        scenario: "load".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    };
    let sim = start(opts).expect("simulator starts");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = sim.client("sim").await;
        let pods: Api<Pod> = Api::namespaced(client, "fittrack-blue");
        let t0 = Instant::now();
        let names = loop {
            let list = pods.list(&ListParams::default().labels("app=fittrack")).await.unwrap();
            let running: Vec<String> = list
                .items
                .into_iter()
                .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
                .filter_map(|p| p.metadata.name)
                .collect();
            if running.len() >= followers {
                break running;
            }
            assert!(t0.elapsed() < Duration::from_secs(120), "pods never ran");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        eprintln!("{} pods running after {:.1}s", names.len(), t0.elapsed().as_secs_f64());
        let count = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        for name in names.into_iter().take(followers) {
            let pods = pods.clone();
            let (count, bytes) = (count.clone(), bytes.clone());
            tokio::spawn(async move {
                let lp = LogParams { follow: true, tail_lines: Some(0), timestamps: true, ..Default::default() };
                let mut lines = pods.log_stream(&name, &lp).await.unwrap().lines();
                while let Some(Ok(l)) = lines.next().await {
                    count.fetch_add(1, Ordering::Relaxed);
                    bytes.fetch_add(l.len() as u64 + 1, Ordering::Relaxed);
                }
            });
        }
        // Warm-up: let every stream open.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let cpu0 = cpu_seconds();
        let (c0, b0, start) = (count.load(Ordering::Relaxed), bytes.load(Ordering::Relaxed), Instant::now());
        tokio::time::sleep(Duration::from_secs(secs)).await;
        let dt = start.elapsed().as_secs_f64();
        let lines = count.load(Ordering::Relaxed) - c0;
        let mb = (bytes.load(Ordering::Relaxed) - b0) as f64 / 1e6;
        let cpu = (cpu_seconds() - cpu0) / dt * 100.0;
        println!(
            "sim_logs: {followers} followers, {lines} lines in {dt:.1}s = {:.0} lines/s ({:.0} per follower, {:.1} MB/s), process CPU {cpu:.0} % (simulator + the {followers} kube-rs clients)",
            lines as f64 / dt,
            lines as f64 / dt / followers as f64,
            mb / dt
        );
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    sim.stop();
}

/// User + system CPU seconds used by this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}
