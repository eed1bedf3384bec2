//! `cutover check-config`: what a configuration resolved to, and findings about the cluster.

use std::fmt::{self, Write as _};
use std::path::Path;

use super::error::shown;
use super::schema::{Clock, ColorConfig, Config, ProbeTransport, RouterKind, Theme, VersionSource};

/// How serious a cluster finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Checked and fine.
    Ok,
    /// Could not be checked, or works but looks wrong (e.g. no pods yet).
    Warn,
    /// The cockpit cannot work this way.
    Error,
}

/// One fact learnt from the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// What was checked ("router fittrack/fittrack", "blue pods").
    pub subject: String,
    /// What was found.
    pub message: String,
}

impl Finding {
    /// A finding; the message (which may quote the cluster) is sanitized to one line.
    pub fn new(level: Level, subject: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            level,
            subject: subject.into(),
            message: crate::sanitize::sanitize_oneline(&message.into(), 500),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Ok => "ok   ",
            Level::Warn => "warn ",
            Level::Error => "ERROR",
        };
        write!(f, "{tag} {}: {}", self.subject, self.message)
    }
}

/// Whether any finding is an error (check-config then exits non-zero).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.level == Level::Error)
}

/// A human-readable account of what the configuration resolved to, defaults included.
pub fn describe(config: &Config, origin: &Path) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_description(&mut out, config, origin);
    out
}

fn write_description(out: &mut String, config: &Config, origin: &Path) -> fmt::Result {
    let r = &config.router;
    writeln!(out, "configuration: {}", origin.display())?;
    let how = match r.kind {
        RouterKind::ServiceSelector => format!(
            "Service {}/{}: a switch rewrites selector key `{}`",
            r.namespace,
            r.name,
            r.selector_key.as_deref().unwrap_or("?")
        ),
        RouterKind::Httproute => format!(
            "HTTPRoute {}/{} rule {}: a switch moves the backendRef weights (live 100, standby 0)",
            r.namespace, r.name, r.rule
        ),
        RouterKind::IngressBackend => format!(
            "Ingress {}/{} rule {}: a switch rewrites the backend Service name",
            r.namespace, r.name, r.rule
        ),
    };
    writeln!(out, "router:  {how}")?;
    // Free-form values (URLs, paths, names) are quoted cut, however long they are.
    let lb_url = r.lb_url.as_deref().map(shown);
    match (&lb_url, &r.lb_version) {
        (Some(url), Some(VersionSource::Header(h))) => {
            writeln!(out, "lb:      {url} (version from header {})", shown(h))?
        }
        (Some(url), Some(VersionSource::JsonField(j))) => writeln!(
            out,
            "lb:      {url} (version from JSON field `{}` of {})",
            shown(j),
            shown(&config.probes.ready)
        )?,
        (Some(url), None) => writeln!(out, "lb:      {url} (serving version not read)")?,
        (None, _) => writeln!(out, "lb:      none (only the router's intent is shown)")?,
    }
    for (name, c) in [
        ("blue", &config.colors.blue),
        ("green", &config.colors.green),
    ] {
        writeln!(out, "{:<8} {}", format!("{name}:"), color_line(c))?;
    }
    let p = &config.probes;
    let via = match p.transport {
        ProbeTransport::Proxy => "the API server proxy",
        ProbeTransport::PortForward => "port-forward",
    };
    writeln!(
        out,
        "probes:  {} and {} every {} s, timeout {} s, via {via}",
        shown(&p.live),
        shown(&p.ready),
        p.interval_secs,
        p.timeout_secs
    )?;
    let l = &config.logs;
    writeln!(
        out,
        "logs:    up to {} streams per color, {} lines / {} per color, tail {}, lines cut at {} chars, container {}",
        l.max_streams,
        l.buffer_lines,
        bytes(l.buffer_bytes),
        l.tail,
        l.max_line,
        l.container.as_deref().unwrap_or("(pod default)")
    )?;
    let u = &config.ui;
    let theme = match u.theme {
        Theme::Dark => "dark",
        Theme::Light => "light",
        Theme::Mono => "mono",
    };
    let clock = match u.clock {
        Clock::Local => "local time",
        Clock::Utc => "UTC",
    };
    let mouse = if u.mouse { "on" } else { "off" };
    writeln!(out, "ui:      theme {theme}, mouse {mouse}, clock {clock}")?;
    if config.keys.is_empty() {
        writeln!(out, "keys:    defaults")
    } else {
        let list: Vec<String> = config
            .keys
            .iter()
            .map(|(a, k)| format!("{a}={k}"))
            .collect();
        writeln!(out, "keys:    {}", list.join(", "))
    }
}

fn color_line(c: &ColorConfig) -> String {
    let mut parts = vec![
        format!("namespace {}", c.namespace),
        format!("pods {}", c.selector),
    ];
    if let Some(d) = &c.deployment {
        parts.push(format!("deployment {d}"));
    }
    match &c.service {
        Some(s) => parts.push(format!("service {s}:{}", c.port)),
        None => parts.push(format!(
            "no service (probed through one ready pod on port {})",
            c.port
        )),
    }
    parts.push(format!("router value \"{}\"", c.route_value));
    parts.join(", ")
}

fn bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::demo_config;

    #[test]
    fn describe_names_router_colors_probes_and_logs() {
        let text = describe(
            &demo_config("fittrack", Some("http://lb")),
            Path::new("/c.toml"),
        );
        let expect = [
            "configuration: /c.toml",
            "HTTPRoute fittrack/fittrack rule 0",
            "lb:      http://lb (version from header X-App-Version)",
            "blue:    namespace fittrack-blue, pods app=fittrack,deployment=blue, deployment fittrack, service fittrack-blue:8000, router value \"fittrack-blue\"",
            "green:   namespace fittrack-green",
            "probes:  /health/live and /health/ready every 2 s, timeout 2 s, via the API server proxy",
            "up to 50 streams per color, 10000 lines / 8 MiB per color",
            "keys:    defaults",
        ];
        for line in expect {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn describe_service_selector_names_the_key() {
        let text = describe(&demo_config("fittrack-single-ns", None), Path::new("x"));
        assert!(text
            .contains("Service fittrack/fittrack-lb: a switch rewrites selector key `deployment`"));
        assert!(text.contains("lb:      none"));
    }

    #[test]
    fn a_color_without_a_service_says_it_is_probed_through_one_pod() {
        let mut c = demo_config("fittrack", None);
        c.colors.green.service = None;
        let text = describe(&c, Path::new("x"));
        let green = text.lines().find(|l| l.starts_with("green:")).unwrap();
        assert!(
            green.contains("no service (probed through one ready pod on port 8000)"),
            "{green}"
        );
        assert!(!text.contains("one by one"), "{text}");
    }

    #[test]
    fn findings_render_and_errors_are_detected() {
        let ok = Finding {
            level: Level::Ok,
            subject: "namespace fittrack".into(),
            message: "exists".into(),
        };
        let bad = Finding {
            level: Level::Error,
            ..ok.clone()
        };
        assert_eq!(ok.to_string(), "ok    namespace fittrack: exists");
        assert!(!has_errors(std::slice::from_ref(&ok)));
        assert!(has_errors(&[ok, bad]));
    }
}
