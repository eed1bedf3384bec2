//! A deterministic sample cockpit (FitTrack, blue live) for snapshot tests and
//! benchmarks: built only through `update`, with a fixed `now`.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::msg::Msg;
use super::state::{Session, State};
use super::update::update;
use crate::config::schema::Config;
use crate::model::{
    Color, ContainerSummary, DeploymentSummary, EventKind, Feed, FeedStatus, KubeEvent,
    LbObservation, LogLine, PodSummary, ProbeKind, ProbeResult, RouterReading, RouterTarget,
};

/// The FitTrack httproute configuration (UTC clock, so frames do not depend on the zone).
pub const CONFIG_TOML: &str = r#"
[router]
kind = "httproute"
namespace = "fittrack"
name = "fittrack"
lb_url = "http://127.0.0.1:8080"
lb_version = { header = "X-App-Version" }
[colors.blue]
namespace = "fittrack-blue"
selector = "app=fittrack,deployment=blue"
deployment = "fittrack"
service = "fittrack-blue"
route_value = "fittrack-blue"
[colors.green]
namespace = "fittrack-green"
selector = "app=fittrack,deployment=green"
deployment = "fittrack"
service = "fittrack-green"
route_value = "fittrack-green"
[ui]
clock = "utc"
[deploy]
mode = "image"
[[checklist]]
name = "Release notes reviewed"
kind = "manual"
"#;

/// The sample configuration.
pub fn config() -> Config {
    toml::from_str(CONFIG_TOML).expect("the sample configuration parses")
}

/// The fixed "now" of the sample: 2026-11-26 10:45:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 10, 45, 0)
        .single()
        .expect("valid time")
}

fn version(c: Color) -> &'static str {
    match c {
        Color::Blue => "v1.9.3",
        Color::Green => "v2.0.0",
    }
}

/// Pod `i` of a color, Running and ready (pod 1 of green restarted once).
pub fn pod(c: Color, i: usize) -> PodSummary {
    let hash = if c == Color::Blue { "7c9d8f" } else { "5f2a1b" };
    let restarts = u32::from(c == Color::Green && i == 1);
    PodSummary {
        name: format!("fittrack-{hash}-{:05}", i * 7919 % 100_000),
        namespace: format!("fittrack-{}", c.word().to_lowercase()),
        ready: 1,
        containers_total: 1,
        status: "Running".into(),
        last_exit_code: (restarts > 0).then_some(137),
        restarts,
        created: Some(now() - Duration::minutes(if c == Color::Blue { 150 } else { 14 })),
        terminating: false,
        conditions: vec![
            ("PodScheduled".into(), "True".into(), String::new()),
            ("Ready".into(), "True".into(), String::new()),
        ],
        containers: vec![ContainerSummary {
            name: "api".into(),
            image: format!("fittrack/api:{}", version(c)),
            ready: true,
            restarts,
            state: "running".into(),
            last_termination: (restarts > 0).then(|| "OOMKilled, exit 137 at 10:31:02".into()),
            message: None,
        }],
        ip: Some(format!("10.0.{}.{}", c as u8, i + 10)),
        node: Some("node-1".into()),
        labels: vec![
            ("app".into(), "fittrack".into()),
            ("deployment".into(), c.name().into()),
        ],
        annotations: Vec::new(),
    }
}

/// Messages that fill a color: pods, Deployment, endpoints, probes, log streams.
pub fn color_msgs(c: Color, pods: usize) -> Vec<Msg> {
    let t = now();
    let probe = |kind, ms| {
        Msg::Probe(ProbeResult {
            color: c,
            kind,
            ok: true,
            latency_ms: ms,
            detail: "200 OK".into(),
            path_error: None,
            version: Some(version(c).into()),
            at: t,
        })
    };
    vec![
        Msg::Pods {
            color: c,
            pods: (0..pods).map(|i| pod(c, i)).collect(),
        },
        Msg::Deployment {
            color: c,
            deployment: Some(DeploymentSummary {
                name: "fittrack".into(),
                image: format!("fittrack/api:{}", version(c)),
                version: version(c).into(),
                desired: pods as u32,
                ready: pods as u32,
                updated: pods as u32,
                available: pods as u32,
                conditions: Vec::new(),
            }),
        },
        Msg::Endpoints {
            color: c,
            ready: pods as u32,
            total: pods as u32,
        },
        probe(ProbeKind::Live, 12),
        probe(ProbeKind::Ready, 15),
        Msg::LogStreams {
            color: c,
            following: pods.min(50),
            total: pods,
        },
    ]
}

/// `n` log lines of a color, spread over its first three pods: blue writes plain
/// access-log lines (some errors, warnings and a 503), green writes JSON like the
/// simulator's apps (so half the lines are structured).
pub fn log_lines(c: Color, n: usize) -> Vec<LogLine> {
    (0..n)
        .map(|i| {
            let ts = now() - Duration::seconds((n - i) as i64);
            LogLine {
                color: c,
                pod: pod(c, i % 3).name,
                container: "api".into(),
                ts: Some(ts),
                text: match c {
                    Color::Blue => plain_line(i),
                    Color::Green => json_line(i, ts),
                },
            }
        })
        .collect()
}

fn plain_line(i: usize) -> String {
    match i % 10 {
        4 => format!("ERROR db pool exhausted: error acquiring a connection (n={i})"),
        7 => format!("WARN slow query on workouts_by_user {}ms", 800 + i % 90),
        9 => format!("GET /api/workouts/{i} 503 {}ms", 8 + i % 30),
        _ => format!("GET /api/workouts/{i} 200 {}ms", 8 + i % 30),
    }
}

fn json_line(i: usize, ts: DateTime<Utc>) -> String {
    let (level, msg) = match i % 10 {
        4 => ("error", "db pool exhausted"),
        7 => ("warn", "slow query on workouts_by_user"),
        2 | 6 => ("debug", "redis ping ok"),
        _ => ("info", "workout synced"),
    };
    format!(
        "{{\"time\":\"{}\",\"level\":\"{level}\",\"logger\":\"fittrack.api\",\"msg\":\"{msg}\",\"version\":\"v2.0.0\",\"seq\":{i}}}",
        ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
}

/// The router saying `target`, observed 3 min 12 s before `now`.
pub fn router(target: RouterTarget, raw: &str) -> Msg {
    Msg::Router(RouterReading {
        values: vec![],
        stamp: None,
        target,
        raw: raw.into(),
        resource_version: "42".into(),
        since: Some(now() - Duration::seconds(192)),
    })
}

/// The load balancer answering with `version` (attributed to `color` by the bus, if it could).
pub fn lb(version: &str, color: Option<Color>) -> Msg {
    Msg::Lb(LbObservation {
        version: Some(version.into()),
        color,
        error: None,
        at: now(),
    })
}

/// The whole sample: `pods` pods and `logs` log lines per color, blue live, all feeds live.
pub fn state(pods: usize, logs: usize) -> State {
    let ctx = Session {
        context_name: "oke-prod".into(),
        cluster_url: "https://10.0.0.1:6443".into(),
        read_only: false,
        user: None,
        kube_user: None,
    };
    // Green was live when cutover opened; traffic went back to blue 192 s ago.
    let mut s = State::new(&config(), ctx, now() - Duration::seconds(600));
    let mut msgs = vec![
        Msg::Router(RouterReading {
            values: vec![],
            stamp: None,
            target: RouterTarget::Color(Color::Green),
            raw: "fittrack-blue:0,fittrack-green:100".into(),
            resource_version: "41".into(),
            since: None,
        }),
        Msg::Tick(now() - Duration::seconds(192)),
        router(
            RouterTarget::Color(Color::Blue),
            "fittrack-blue:100,fittrack-green:0",
        ),
        Msg::Tick(now()),
    ];
    for c in Color::BOTH {
        msgs.extend(color_msgs(c, pods));
        msgs.push(Msg::LogLines(log_lines(c, logs)));
        for feed in [
            Feed::Pods(c),
            Feed::Deployment(c),
            Feed::Endpoints(c),
            Feed::Logs(c),
        ] {
            msgs.push(Msg::Feed(feed, FeedStatus::Live));
        }
    }
    msgs.push(Msg::Feed(Feed::Router, FeedStatus::Live));
    msgs.push(Msg::History(Vec::new()));
    msgs.push(Msg::Access(Vec::new()));
    msgs.push(lb("v1.9.3", Some(Color::Blue)));
    msgs.push(Msg::Events(vec![KubeEvent {
        uid: "e1".into(),
        time: now() - Duration::seconds(30),
        namespace: "fittrack-green".into(),
        object: format!("Pod/{}", pod(Color::Green, 1).name),
        reason: "BackOff".into(),
        message: "Back-off restarting failed container api".into(),
        kind: EventKind::Warning,
        count: 3,
    }]));
    msgs.push(Msg::Notice {
        at: now() - Duration::seconds(20),
        text: "connected to oke-prod".into(),
        warning: false,
    });
    for m in msgs {
        update(&mut s, m);
    }
    s.take_dirty();
    s
}
