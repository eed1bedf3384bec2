//! `[release]` and `[smoke]`: values a traffic action or a smoke test could not use.

use super::Checker;
use crate::config::schema::{ReleaseConfig, SmokeCheck, SmokeConfig};

/// Methods a built-in check may send.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Set by cutover itself for the suite.
const RESERVED_ENV: &str = "BASE_URL";

pub(super) fn release(c: &mut Checker, r: &ReleaseConfig) {
    let ratio = r.min_ready_ratio;
    if !(ratio.is_finite() && ratio > 0.0 && ratio <= 1.0) {
        c.add(
            "release.min_ready_ratio",
            format!("{ratio} is not a share in (0, 1] (1.0: at least as many Ready pods as live)"),
        );
    }
    seconds(c, "release.verify_timeout_secs", r.verify_timeout_secs);
    if r.verify_lb_requests == 0 {
        c.add(
            "release.verify_lb_requests",
            "must be at least 1 (without lb_url the load balancer is not asked at all)",
        );
    }
}

pub(super) fn smoke(c: &mut Checker, s: &SmokeConfig) {
    for (i, check) in s.checks.iter().enumerate() {
        smoke_check(c, &format!("smoke.checks[{i}]"), check);
    }
    seconds(c, "smoke.timeout_secs", s.timeout_secs);
    if s.command.first().is_some_and(|p| p.trim().is_empty()) {
        c.add(
            "smoke.command",
            "the program (the first element) is empty; give it, e.g. [\"pytest\", \"tests/e2e/\"]",
        );
    }
    for (key, value) in &s.env {
        let path = format!("smoke.env.{key}");
        if key == RESERVED_ENV {
            c.add(
                &path,
                "BASE_URL is set by cutover (the local port forwarded to the tested color); remove it",
            );
        } else if !is_env_name(key) {
            c.add(
                &path,
                format!("`{key}` is not a valid environment variable name (letters, digits, _; not starting with a digit)"),
            );
        } else if value.contains('\0') {
            c.add(&path, "the value contains a NUL character");
        }
    }
    if s.workdir.as_ref().is_some_and(|w| w.as_os_str().is_empty()) {
        c.add(
            "smoke.workdir",
            "empty; remove it to run where cutover runs",
        );
    }
}

fn smoke_check(c: &mut Checker, at: &str, check: &SmokeCheck) {
    let key = |field: &str| format!("{at}.{field}");
    let path_ok =
        check.path.starts_with('/') && check.path.parse::<hyper::http::uri::PathAndQuery>().is_ok();
    if !path_ok {
        c.add(
            &key("path"),
            format!(
                "`{}` is not a request path (it starts with '/', without spaces)",
                check.path
            ),
        );
    }
    if !METHODS.contains(&check.method.as_str()) {
        let hint = match METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&check.method))
        {
            Some(m) => format!("write \"{m}\" (methods are case-sensitive)"),
            None => format!("known: {}", METHODS.join(", ")),
        };
        c.add(
            &key("method"),
            format!(
                "`{}` is not an HTTP method a check can send; {hint}",
                check.method
            ),
        );
    }
    if !(100..=599).contains(&check.status) {
        c.add(
            &key("status"),
            format!("{} is not an HTTP status (100 to 599)", check.status),
        );
    }
    if check.max_latency_ms == Some(0) {
        c.add(&key("max_latency_ms"), "must be at least 1 ms");
    }
    if check.body_contains.as_deref() == Some("") {
        c.add(
            &key("body_contains"),
            "empty text matches every body; remove it",
        );
    }
}

pub(super) fn seconds(c: &mut Checker, key: &str, secs: f64) {
    if !(secs.is_finite() && secs > 0.0) {
        c.add(key, format!("{secs} is not a positive number of seconds"));
    }
}

pub(super) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::demo::scenario_toml;
    use crate::config::{parse, ConfigError};

    /// The demo configuration with `(from, to)` replaced once each (a missing pattern
    /// fails the test, so a typo cannot turn into a silently valid file).
    fn demo_with(edits: &[(&str, &str)]) -> String {
        edits
            .iter()
            .fold(scenario_toml("fittrack", None), |text, (from, to)| {
                assert!(text.contains(from), "demo config lacks {from:?}:\n{text}");
                text.replacen(from, to, 1)
            })
    }

    /// Every problem as "line: key: message".
    fn problems(text: &str) -> Vec<String> {
        match parse(text, Path::new("t.toml")) {
            Ok(_) => Vec::new(),
            Err(ConfigError::Invalid { problems, .. }) => problems
                .iter()
                .map(|p| {
                    let line = p.position.map_or(0, |p| p.line);
                    format!("{line}: {}: {}", p.key, p.message)
                })
                .collect(),
            Err(other) => panic!("unexpected error kind: {other}"),
        }
    }

    /// The line of the first occurrence of `needle` in `text` (1-based).
    fn line_of(text: &str, needle: &str) -> usize {
        let at = text.find(needle).expect("needle present");
        text[..at].matches('\n').count() + 1
    }

    /// The one problem of `text` starts with "line: key: " and contains `words`.
    fn only(text: &str, key: &str, needle: &str, words: &str) {
        let found = problems(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        let want = format!("{}: {key}: ", line_of(text, needle));
        assert!(found[0].starts_with(&want), "{} !~ {want}", found[0]);
        assert!(found[0].contains(words), "{} lacks {words:?}", found[0]);
    }

    #[test]
    fn the_demo_smoke_and_release_are_valid() {
        assert_eq!(problems(&demo_with(&[])), Vec::<String>::new());
    }

    #[test]
    fn a_check_path_must_be_a_request_path() {
        let text = demo_with(&[("path = \"/api/stats\"", "path = \"api/stats\"")]);
        only(
            &text,
            "smoke.checks[4].path",
            "\"api/stats\"",
            "not a request path",
        );
        let text = demo_with(&[("path = \"/api/stats\"", "path = \"/api/my stats\"")]);
        only(
            &text,
            "smoke.checks[4].path",
            "\"/api/my stats\"",
            "without spaces",
        );
    }

    #[test]
    fn a_check_method_must_be_known_and_upper_case() {
        let text = demo_with(&[("method = \"POST\"", "method = \"post\"")]);
        only(
            &text,
            "smoke.checks[5].method",
            "\"post\"",
            "write \"POST\"",
        );
        let text = demo_with(&[("method = \"POST\"", "method = \"FETCH\"")]);
        only(
            &text,
            "smoke.checks[5].method",
            "\"FETCH\"",
            "known: GET, HEAD",
        );
    }

    #[test]
    fn a_check_status_latency_and_body_must_make_sense() {
        let text = demo_with(&[("status = 201", "status = 42")]);
        only(&text, "smoke.checks[5].status", "status = 42", "100 to 599");
        let text = demo_with(&[("status = 201", "status = 600")]);
        only(
            &text,
            "smoke.checks[5].status",
            "status = 600",
            "100 to 599",
        );
        let text = demo_with(&[("max_latency_ms = 2000", "max_latency_ms = 0")]);
        only(
            &text,
            "smoke.checks[0].max_latency_ms",
            "max_latency_ms = 0",
            "at least 1 ms",
        );
        let text = demo_with(&[("body_contains = '\"kind\"'", "body_contains = ''")]);
        only(
            &text,
            "smoke.checks[2].body_contains",
            "body_contains = ''",
            "matches every body",
        );
    }

    #[test]
    fn release_values_must_be_in_range() {
        for bad in ["0.0", "1.5", "-1.0", "nan"] {
            let text = demo_with(&[("min_ready_ratio = 1.0", &format!("min_ready_ratio = {bad}"))]);
            only(
                &text,
                "release.min_ready_ratio",
                "min_ready_ratio",
                "(0, 1]",
            );
        }
        let text = demo_with(&[("verify_timeout_secs = 30.0", "verify_timeout_secs = 0.0")]);
        only(
            &text,
            "release.verify_timeout_secs",
            "verify_timeout_secs",
            "positive number",
        );
        let text = demo_with(&[("verify_lb_requests = 5", "verify_lb_requests = 0")]);
        only(
            &text,
            "release.verify_lb_requests",
            "verify_lb_requests",
            "at least 1",
        );
    }

    #[test]
    fn suite_command_env_and_timeout_must_be_usable() {
        let text = demo_with(&[("timeout_secs = 600.0", "timeout_secs = -5.0")]);
        only(
            &text,
            "smoke.timeout_secs",
            "timeout_secs = -5.0",
            "positive number",
        );
        let text = demo_with(&[("command = []", "command = [\" \", \"-v\"]")]);
        only(
            &text,
            "smoke.command",
            "command = [",
            "program (the first element) is empty",
        );
        let text = demo_with(&[("[smoke.env]", "[smoke.env]\n\"APP-ENV\" = \"x\"")]);
        only(
            &text,
            "smoke.env.APP-ENV",
            "\"x\"",
            "not a valid environment variable name",
        );
        let text = demo_with(&[("[smoke.env]", "[smoke.env]\nBASE_URL = \"http://x\"")]);
        only(
            &text,
            "smoke.env.BASE_URL",
            "\"http://x\"",
            "set by cutover",
        );
        let text = demo_with(&[("[smoke.env]", "[smoke.env]\nAPP_ENV = \"testing\"")]);
        assert_eq!(problems(&text), Vec::<String>::new());
    }
}
