//! `cutover status`: where traffic goes and how each color stands. The JSON shape is
//! documented in the README and stable: fields are only ever added.

use serde::Serialize;

use crate::app::release::plan::ready_pods;
use crate::app::state::{Probes, State};
use crate::model::{Color, ProbeResult, RouterTarget};

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Status {
    /// The kubeconfig context.
    pub context: String,
    /// Who cutover acts as.
    pub user: String,
    /// The router and what it says.
    pub router: RouterStatus,
    /// The color all traffic goes to (null when SPLIT, UNKNOWN or MISSING).
    pub live: Option<&'static str>,
    /// What the load balancer answered (null without `lb_url`).
    pub lb: Option<LbStatus>,
    /// Blue and green.
    pub colors: ColorsStatus,
    /// The judgement of the live color after the last switch (null: none yet).
    pub analysis: Option<AnalysisStatus>,
}

/// A color's latest signals and their verdict.
#[derive(Debug, Serialize)]
pub struct SignalsStatus {
    /// "scrape" or "prometheus".
    pub source: &'static str,
    /// When the sample was taken (RFC 3339).
    pub at: String,
    /// Requests in the sample (the sample size; null: unknown).
    pub requests: Option<f64>,
    /// 5xx answers in the sample.
    pub errors: Option<f64>,
    /// 5xx share of the requests, 0–1 (null: no data).
    pub error_rate: Option<f64>,
    /// The 5xx threshold, 0–1.
    pub error_rate_threshold: Option<f64>,
    /// p99 latency in milliseconds.
    pub p99_ms: Option<f64>,
    /// Requests per second.
    pub rps: Option<f64>,
    /// Custom signals by name (null: no data).
    pub custom: std::collections::BTreeMap<String, Option<f64>>,
    /// "healthy", "breach", "too-few-requests" or "no-data".
    pub verdict: &'static str,
    /// The verdict in words ("5xx 2.31 % > 0.10 %", "source down: ...").
    pub detail: String,
    /// Targets (pods or queries) that answered, of those asked.
    pub answered: [u32; 2],
}

/// The monitoring window.
#[derive(Debug, Serialize)]
pub struct AnalysisStatus {
    /// The color judged.
    pub color: &'static str,
    /// When it opened and closes (RFC 3339).
    pub opened: String,
    /// When it closes.
    pub until: String,
    /// Samples counted (enough requests).
    pub counted: u32,
    /// Breaching samples.
    pub failures: u32,
    /// Breaching samples still allowed.
    pub budget_left: u32,
    /// Why the budget is exhausted (null: it is not).
    pub exhausted: Option<String>,
    /// The automatic rollback's switch id, when one started.
    pub rolled_back: Option<String>,
    /// Why it was not rolled back automatically.
    pub alarm: Option<String>,
}

/// The router.
#[derive(Debug, Serialize)]
pub struct RouterStatus {
    /// "httproute fittrack/fittrack".
    pub object: String,
    /// "blue", "green", "split", "unknown", "missing".
    pub target: &'static str,
    /// Percent to each color when split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    /// The raw router value.
    pub raw: String,
    /// The object's resourceVersion.
    pub resource_version: String,
}

/// A split's weights.
#[derive(Debug, Serialize)]
pub struct Split {
    /// Percent to blue.
    pub blue: u32,
    /// Percent to green.
    pub green: u32,
}

/// The load balancer's last answer.
#[derive(Debug, Serialize)]
pub struct LbStatus {
    /// The version it answered with.
    pub version: Option<String>,
    /// The color that version belongs to (null when neither or both).
    pub color: Option<&'static str>,
    /// The error, when the request failed.
    pub error: Option<String>,
}

/// Both colors.
#[derive(Debug, Serialize)]
pub struct ColorsStatus {
    /// Blue.
    pub blue: ColorStatus,
    /// Green.
    pub green: ColorStatus,
}

/// One color.
#[derive(Debug, Serialize)]
pub struct ColorStatus {
    /// Its namespace.
    pub namespace: String,
    /// Its version (image tag).
    pub version: Option<String>,
    /// Ready pods.
    pub ready: u32,
    /// Desired replicas.
    pub desired: u32,
    /// "live" or "standby" (null when the router says neither).
    pub role: Option<&'static str>,
    /// The last probe of each endpoint.
    pub probes: ProbesStatus,
    /// The last smoke test (from anyone).
    pub last_smoke: Option<SmokeStatus>,
    /// The latest signals (null: no sample yet, or no metrics source).
    pub signals: Option<SignalsStatus>,
}

/// Probe results.
#[derive(Debug, Serialize)]
pub struct ProbesStatus {
    /// `/health/live`.
    pub live: Option<ProbeStatus>,
    /// `/health/ready`.
    pub ready: Option<ProbeStatus>,
}

/// One probe result.
#[derive(Debug, Serialize)]
pub struct ProbeStatus {
    /// 2xx within the timeout.
    pub ok: bool,
    /// "200 OK", "timeout after 2 s".
    pub detail: String,
    /// Round trip in milliseconds.
    pub latency_ms: u64,
}

/// A smoke result.
#[derive(Debug, Serialize)]
pub struct SmokeStatus {
    /// The version tested.
    pub version: Option<String>,
    /// Passed?
    pub passed: bool,
    /// When (RFC 3339).
    pub at: String,
    /// Who ran it.
    pub by: String,
    /// One line.
    pub summary: String,
}

/// The report of the state as it stands.
pub fn report(state: &State) -> Status {
    let router = state.router.as_ref();
    let (target, split) = match router.map(|r| &r.target) {
        Some(RouterTarget::Color(c)) => (c.name(), None),
        Some(RouterTarget::Split { blue, green }) => (
            "split",
            Some(Split {
                blue: *blue,
                green: *green,
            }),
        ),
        Some(RouterTarget::Unknown(_)) => ("unknown", None),
        Some(RouterTarget::Missing) | None => ("missing", None),
    };
    Status {
        context: state.session.context_name.clone(),
        user: state.who(),
        router: RouterStatus {
            object: state.router_label.clone(),
            target,
            split,
            raw: router.map(|r| r.raw.clone()).unwrap_or_default(),
            resource_version: router
                .map(|r| r.resource_version.clone())
                .unwrap_or_default(),
        },
        live: state.live_color().map(Color::name),
        lb: state.lb.as_ref().map(|o| LbStatus {
            version: o.version.clone(),
            color: o.color.map(Color::name),
            error: o.error.clone(),
        }),
        colors: ColorsStatus {
            blue: color(state, Color::Blue),
            green: color(state, Color::Green),
        },
        analysis: state.signals.window.as_ref().map(|w| AnalysisStatus {
            color: w.color.name(),
            opened: w.opened.to_rfc3339(),
            until: w.until.to_rfc3339(),
            counted: w.counted,
            failures: w.failures,
            budget_left: w.budget_left(&state.signals),
            exhausted: w.exhausted.clone(),
            rolled_back: w.rollback.clone(),
            alarm: w.alarm.clone(),
        }),
    }
}

fn signals(state: &State, c: Color) -> Option<SignalsStatus> {
    use crate::app::signals::{Verdict, CUSTOM};
    let s = &state.signals;
    let j = s.color(c).last()?;
    let x = &j.sample;
    let (verdict, detail) = match &j.verdict {
        Verdict::Healthy => ("healthy", "within every threshold".to_string()),
        Verdict::Breach(b) => (
            "breach",
            b.iter()
                .map(|b| b.words.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Verdict::TooSmall { requests } => (
            "too-few-requests",
            format!("{requests:.0} < {} requests", s.analysis.min_requests),
        ),
        Verdict::NoData(why) => ("no-data", why.clone()),
    };
    Some(SignalsStatus {
        source: match s.source {
            crate::config::metrics::Source::Prometheus => "prometheus",
            _ => "scrape",
        },
        at: x.at.to_rfc3339(),
        requests: x.requests,
        errors: x.errors,
        error_rate: x.error_rate,
        error_rate_threshold: s.definitions[0].threshold,
        p99_ms: x.p99_ms,
        rps: x.rps,
        custom: s.definitions[CUSTOM..]
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), x.custom.get(i).copied().flatten()))
            .collect(),
        verdict,
        detail,
        answered: [x.health.ok, x.health.asked],
    })
}

fn color(state: &State, c: Color) -> ColorStatus {
    let cs = state.color(c);
    let (ready, desired) = ready_pods(state, c);
    let probe = |r: &Option<ProbeResult>| {
        r.as_ref().map(|r| ProbeStatus {
            ok: r.ok,
            detail: r.detail.clone(),
            latency_ms: r.latency_ms,
        })
    };
    let Probes {
        live, ready: rdy, ..
    } = &cs.probes;
    ColorStatus {
        namespace: cs.namespace.clone(),
        version: cs.version(),
        ready,
        desired,
        role: state
            .live_color()
            .map(|l| if l == c { "live" } else { "standby" }),
        probes: ProbesStatus {
            live: probe(live),
            ready: probe(rdy),
        },
        last_smoke: state.actions.smoke[c as usize]
            .as_ref()
            .map(|s| SmokeStatus {
                version: s.version.clone(),
                passed: s.passed,
                at: s.at.to_rfc3339(),
                by: s.by.clone(),
                summary: s.summary.clone(),
            }),
        signals: signals(state, c),
    }
}

/// The report for people.
pub fn text(s: &Status) -> String {
    let mut out = vec![format!(
        "{} ({}) — {} → {}{}",
        s.router.object,
        s.context,
        s.router.raw,
        s.live
            .map(str::to_uppercase)
            .unwrap_or_else(|| s.router.target.to_uppercase()),
        if s.live.is_some() { " LIVE" } else { "" }
    )];
    if let Some(lb) = &s.lb {
        out.push(match (&lb.version, &lb.error) {
            (_, Some(e)) => format!("LB: {e}"),
            (Some(v), None) => format!(
                "LB serves {v}{}",
                lb.color
                    .map(|c| format!(" = {}", c.to_uppercase()))
                    .unwrap_or_default()
            ),
            (None, None) => "LB: no version in the answer".into(),
        });
    }
    for (name, c) in [("BLUE", &s.colors.blue), ("GREEN", &s.colors.green)] {
        let probe = |p: &Option<ProbeStatus>| match p {
            Some(p) if p.ok => format!("✔ {} ms", p.latency_ms),
            Some(p) => format!("✖ {}", p.detail),
            None => "–".into(),
        };
        let smoke = match &c.last_smoke {
            Some(sm) => format!(
                "smoke {} {} by {}",
                sm.version.as_deref().unwrap_or("?"),
                if sm.passed { "passed" } else { "FAILED" },
                sm.by
            ),
            None => "not smoke-tested".into(),
        };
        let signals = match &c.signals {
            Some(sig) => format!(
                "  5xx {} of {} requests ({})",
                sig.error_rate
                    .map(|r| format!("{:.2} %", r * 100.0))
                    .unwrap_or_else(|| "–".into()),
                sig.requests
                    .map(|n| format!("{n:.0}"))
                    .unwrap_or_else(|| "?".into()),
                sig.detail
            ),
            None => String::new(),
        };
        out.push(format!(
            "{name:<5} {:<12} {}/{} ready  {:<8} live {} ready {}  {smoke}{signals}",
            c.version.as_deref().unwrap_or("?"),
            c.ready,
            c.desired,
            c.role.unwrap_or("-"),
            probe(&c.probes.live),
            probe(&c.probes.ready),
        ));
    }
    out.join("\n")
}
