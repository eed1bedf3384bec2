//! Semantic checks: combinations a TOML schema cannot express.

use crate::keymap::Intent;
use crate::keymap::{parse_key, Keymap, KeymapError};

use super::error::shown;
use super::labels::{
    can_overlap, check_dns_label, check_dns_subdomain, check_label_key, check_label_value,
    check_service_name, equality_value, parse_selector,
};
use super::schema::{ColorConfig, Config, RouterKind, VersionSource};

/// One semantic problem, before it is located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Collects problems.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn add(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    fn result(&mut self, key: &str, result: Result<(), String>) {
        if let Err(message) = result {
            self.add(key, message);
        }
    }
}

/// Every semantic problem of a configuration, in a stable order.
pub fn check(config: &Config) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    router(&mut c, config);
    for (name, color) in colors(config) {
        color_fields(&mut c, config.router.kind, name, color);
    }
    layout(&mut c, config);
    probes_and_logs(&mut c, config);
    keys(&mut c, config);
    release::release(&mut c, &config.release);
    release::smoke(&mut c, &config.smoke);
    lifecycle::lifecycle(&mut c, config);
    c.problems
        .extend(super::metrics::problems(&config.metrics, &config.analysis));
    c.problems
}

fn colors(config: &Config) -> [(&'static str, &ColorConfig); 2] {
    config.colors.both().map(|(c, cfg)| (c.name(), cfg))
}

fn router(c: &mut Checker, config: &Config) {
    let r = &config.router;
    c.result("router.namespace", check_dns_label(&r.namespace));
    let name_check = match r.kind {
        RouterKind::ServiceSelector => check_service_name(&r.name),
        _ => check_dns_subdomain(&r.name),
    };
    c.result("router.name", name_check);
    match (r.kind, &r.selector_key) {
        (RouterKind::ServiceSelector, None) => c.add(
            "router.selector_key",
            "a service-selector router needs `selector_key`, the selector key a switch \
             rewrites (e.g. \"deployment\")",
        ),
        (RouterKind::ServiceSelector, Some(key)) => {
            c.result("router.selector_key", check_label_key(key))
        }
        (_, Some(_)) => c.add(
            "router.selector_key",
            "`selector_key` applies only to service-selector routers; remove it",
        ),
        (_, None) => {}
    }
    if r.kind == RouterKind::ServiceSelector && r.rule != 0 {
        c.add(
            "router.rule",
            "`rule` applies only to httproute and ingress-backend routers; remove it",
        );
    }
    match (&r.lb_url, &r.lb_version) {
        (None, Some(_)) => c.add(
            "router.lb_version",
            "`lb_version` says where to read the version at `lb_url`, but `lb_url` is not set",
        ),
        (Some(url), _) => c.result("router.lb_url", check_url(url)),
        (None, None) => {}
    }
    match &r.lb_version {
        Some(VersionSource::Header(h)) if !is_header_name(h) => c.add(
            "router.lb_version.header",
            format!("`{h}` is not a valid HTTP header name"),
        ),
        Some(VersionSource::JsonField(f)) if f.trim().is_empty() => c.add(
            "router.lb_version.json_field",
            "the JSON field name is empty",
        ),
        _ => {}
    }
}

fn check_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!(
            "`{url}` must be an http:// or https:// URL with a host"
        )),
        Err(e) => Err(format!("`{url}` is not a URL: {e}")),
    }
}

fn is_header_name(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn color_fields(c: &mut Checker, kind: RouterKind, name: &str, color: &ColorConfig) {
    let key = |field: &str| format!("colors.{name}.{field}");
    c.result(&key("namespace"), check_dns_label(&color.namespace));
    if let Err(e) = parse_selector(&color.selector) {
        c.add(&key("selector"), format!("invalid label selector: {e}"));
    }
    if let Some(d) = &color.deployment {
        c.result(&key("deployment"), check_dns_subdomain(d));
    }
    if let Some(s) = &color.service {
        c.result(&key("service"), check_service_name(s));
    }
    if color.port == 0 {
        c.add(&key("port"), "port must be between 1 and 65535");
    }
    let route_value = match kind {
        RouterKind::ServiceSelector => check_label_value(&color.route_value)
            .and_then(|()| non_empty(&color.route_value, "the selector value")),
        _ => check_service_name(&color.route_value)
            .map_err(|e| format!("{e} (the router value of this kind is a Service name)")),
    };
    c.result(&key("route_value"), route_value);
}

fn non_empty(value: &str, what: &str) -> Result<(), String> {
    if value.is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

/// Combinations across the router and both colors.
fn layout(c: &mut Checker, config: &Config) {
    let (r, blue, green) = (&config.router, &config.colors.blue, &config.colors.green);
    if blue.route_value == green.route_value {
        c.add(
            "colors.green.route_value",
            format!(
                "blue and green have the same route_value `{}`; the router could not tell them apart",
                green.route_value
            ),
        );
    }
    same_workload(c, blue, green);
    for (name, color) in colors(config) {
        if color.namespace == r.namespace {
            continue;
        }
        let why = match r.kind {
            RouterKind::ServiceSelector => format!(
                "a service-selector router cannot route to {name}: the Service `{}` lives in \
                 namespace `{}` and a Service selects only pods of its own namespace, but {name}'s \
                 pods live in `{}`. Use kind = \"httproute\" (a Gateway API HTTPRoute can send \
                 traffic to Services in other namespaces), or move both colors into `{}`",
                r.name, r.namespace, color.namespace, r.namespace
            ),
            RouterKind::IngressBackend => format!(
                "an ingress-backend router cannot route to {name}: an Ingress sends traffic only \
                 to Services in its own namespace `{}`, but {name} lives in `{}`. Use kind = \
                 \"httproute\" for colors in separate namespaces",
                r.namespace, color.namespace
            ),
            RouterKind::Httproute => continue,
        };
        c.add(&format!("colors.{name}.namespace"), why);
    }
    if let Some(key) = r.selector_key.as_deref() {
        for (name, color) in colors(config) {
            let Ok(sel) = parse_selector(&color.selector) else {
                continue;
            };
            match equality_value(&sel, key) {
                Some(v) if v != color.route_value => c.add(
                    &format!("colors.{name}.route_value"),
                    format!(
                        "{name}'s selector requires {key}={v}, but its route_value is `{}`; \
                         switching the Service to {key}={} would not select {name}'s pods",
                        color.route_value, color.route_value
                    ),
                ),
                _ => {}
            }
        }
    }
}

/// Two colors must be two workloads: not one Deployment, and in one namespace not
/// selectors that can select the same pods (the cockpit would show contradicting facts).
fn same_workload(c: &mut Checker, blue: &ColorConfig, green: &ColorConfig) {
    if blue.namespace != green.namespace {
        return;
    }
    let ns = &blue.namespace;
    if let (Some(b), Some(g)) = (&blue.deployment, &green.deployment) {
        if b == g {
            c.add(
                "colors.green.deployment",
                format!(
                    "blue and green name the same Deployment `{}` in namespace `{}`: two \
                     colors must be two workloads",
                    shown(g),
                    shown(ns)
                ),
            );
        }
    }
    let (Ok(b), Ok(g)) = (
        parse_selector(&blue.selector),
        parse_selector(&green.selector),
    ) else {
        return;
    };
    if can_overlap(&b, &g) {
        c.add(
            "colors.green.selector",
            format!(
                "blue's selector `{}` and green's `{}` can select the same pods in namespace \
                 `{}`; give each color a label value the other excludes (e.g. \
                 deployment=blue and deployment=green)",
                shown(&blue.selector),
                shown(&green.selector),
                shown(ns)
            ),
        );
    }
}

fn probes_and_logs(c: &mut Checker, config: &Config) {
    let p = &config.probes;
    for (field, path) in [("live", &p.live), ("ready", &p.ready)] {
        if !path.starts_with('/') {
            c.add(
                &format!("probes.{field}"),
                format!("probe path `{path}` must start with '/'"),
            );
        }
    }
    for (field, secs) in [
        ("interval_secs", p.interval_secs),
        ("timeout_secs", p.timeout_secs),
    ] {
        if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
            c.add(
                &format!("probes.{field}"),
                format!(
                    "{} is not a positive number of seconds (at most 3600)",
                    number(secs)
                ),
            );
        }
    }
    let l = &config.logs;
    for (field, n) in [
        ("max_streams", l.max_streams),
        ("buffer_lines", l.buffer_lines),
        ("buffer_bytes", l.buffer_bytes),
        ("max_line", l.max_line),
    ] {
        if n == 0 {
            c.add(
                &format!("logs.{field}"),
                format!("must be at least 1 (got {n})"),
            );
        }
    }
    if l.tail < 0 {
        c.add(
            "logs.tail",
            format!("must be 0 or more lines (got {})", l.tail),
        );
    }
    if let Some(name) = &l.container {
        c.result("logs.container", check_dns_label(name));
    }
    let fps = config.ui.log_fps;
    if !(1..=60).contains(&fps) {
        c.add(
            "ui.log_fps",
            format!("must be 1 to 60 redraws a second (got {fps})"),
        );
    }
}

/// A number as an error shows it: `1e308`, not 309 digits.
fn number(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e6 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `[keys]`: known action names, keys the keymap can parse, a Ctrl/Alt or function key
/// for actions bound in every mode, no clash within a mode.
fn keys(c: &mut Checker, config: &Config) {
    let before = c.problems.len();
    for (action, key) in &config.keys {
        let path = format!("keys.{action}");
        let Some(known_action) = Intent::from_name(action) else {
            let known = Intent::ALL
                .iter()
                .map(|i| i.name())
                .collect::<Vec<_>>()
                .join(", ");
            c.add(&path, format!("unknown action `{action}` (known: {known})"));
            continue;
        };
        match parse_key(key) {
            Err(why) => c.add(
                &path,
                format!("{why} (examples: \"x\", \"ctrl-r\", \"F5\", \"enter\")"),
            ),
            Ok(ev) => {
                if let Err(why) = known_action.key_fits(&ev) {
                    c.add(&path, format!("key {key:?} cannot be used: {why}"));
                }
            }
        }
    }
    // Clashes only make sense once every entry parses on its own.
    if c.problems.len() == before {
        if let Err(KeymapError::Conflict {
            action,
            key,
            other,
            mode,
        }) = Keymap::with_overrides(&config.keys)
        {
            c.add(
                &format!("keys.{action}"),
                format!("`{key}` is already bound to `{other}` in {mode} mode"),
            );
        }
    }
}

pub mod lifecycle;
mod release;

#[cfg(test)]
mod tests;
