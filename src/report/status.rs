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
    }
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
        out.push(format!(
            "{name:<5} {:<12} {}/{} ready  {:<8} live {} ready {}  {smoke}",
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
