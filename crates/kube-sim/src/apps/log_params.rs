//! Query parameters of `GET .../pods/NAME/log`, parsed and validated like the API server.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::collections::HashMap;

/// Parsed `pods/log` options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogParams {
    /// `container`.
    pub container: Option<String>,
    /// `follow=true`.
    pub follow: bool,
    /// `previous=true`.
    pub previous: bool,
    /// `timestamps=true`.
    pub timestamps: bool,
    /// `tailLines`.
    pub tail: Option<usize>,
    /// `sinceTime` or now - `sinceSeconds`, truncated to whole seconds.
    pub since: Option<DateTime<Utc>>,
    /// `limitBytes`.
    pub limit_bytes: Option<usize>,
}

/// A rejected parameter: (HTTP code, reason, message).
pub type ParamError = (u16, &'static str, String);

fn bool_param(q: &HashMap<String, String>, key: &str) -> Result<bool, ParamError> {
    match q.get(key).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(other) => Err((
            400,
            "BadRequest",
            format!("invalid {key}: {other:?} is not a boolean"),
        )),
    }
}

fn int_param(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ParamError> {
    q.get(key)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                (
                    400,
                    "BadRequest",
                    format!("invalid {key}: {v:?} is not an integer"),
                )
            })
        })
        .transpose()
}

fn invalid(msg: String) -> ParamError {
    (422, "Invalid", msg)
}

/// Truncate to the second: the API server's `sinceTime` has one-second resolution.
pub fn to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::seconds(1)).unwrap_or(t)
}

impl LogParams {
    /// Parse the query map; `now` anchors `sinceSeconds`.
    pub fn parse(q: &HashMap<String, String>, now: DateTime<Utc>) -> Result<Self, ParamError> {
        let tail = match int_param(q, "tailLines")? {
            Some(n) if n < 0 => {
                return Err(invalid(format!(
                    "tailLines: Invalid value: {n}: must be greater than or equal to 0"
                )))
            }
            n => n.map(|n| n as usize),
        };
        let limit_bytes = match int_param(q, "limitBytes")? {
            Some(n) if n < 1 => {
                return Err(invalid(format!(
                    "limitBytes: Invalid value: {n}: must be greater than 0"
                )))
            }
            n => n.map(|n| n as usize),
        };
        let since_seconds = match int_param(q, "sinceSeconds")? {
            Some(n) if n < 1 => {
                return Err(invalid(format!(
                    "sinceSeconds: Invalid value: {n}: must be greater than 0"
                )))
            }
            n => n,
        };
        let since_time = q
            .get("sinceTime")
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| (400, "BadRequest", format!("invalid sinceTime {v:?}: {e}")))
            })
            .transpose()?;
        let since = match (since_seconds, since_time) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "at most one of sinceTime or sinceSeconds may be specified".into(),
                ))
            }
            (Some(s), None) => Some(now - TimeDelta::seconds(s.min(10 * 365 * 86_400))),
            (None, t) => t,
        };
        Ok(Self {
            container: q.get("container").filter(|c| !c.is_empty()).cloned(),
            follow: bool_param(q, "follow")?,
            previous: bool_param(q, "previous")?,
            timestamps: bool_param(q, "timestamps")?,
            tail,
            since: since.map(to_second),
            limit_bytes,
        })
    }
}

/// Cut `chunk` so that at most `budget` bytes remain to be sent; returns the bytes to send.
pub fn limit(chunk: &[u8], budget: &mut Option<usize>) -> usize {
    match budget {
        None => chunk.len(),
        Some(left) => {
            let n = chunk.len().min(*left);
            *left -= n;
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_everything() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 10).unwrap();
        let p = LogParams::parse(
            &q(&[
                ("follow", "true"),
                ("tailLines", "5"),
                ("timestamps", "true"),
                ("container", "app"),
                ("sinceTime", "2026-01-01T00:00:03.987654321Z"),
                ("limitBytes", "100"),
            ]),
            now,
        )
        .unwrap();
        assert!(p.follow && p.timestamps && !p.previous);
        assert_eq!(
            (p.tail, p.limit_bytes, p.container.as_deref()),
            (Some(5), Some(100), Some("app"))
        );
        // One-second resolution: .987 is dropped, so a resume overlaps.
        assert_eq!(
            p.since,
            Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 3).unwrap())
        );
        let p = LogParams::parse(&q(&[("sinceSeconds", "4")]), now).unwrap();
        assert_eq!(
            p.since,
            Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 6).unwrap())
        );
    }

    #[test]
    fn rejects_bad_values() {
        let now = Utc::now();
        let code = |pairs: &[(&str, &str)]| LogParams::parse(&q(pairs), now).unwrap_err().0;
        assert_eq!(code(&[("tailLines", "x")]), 400);
        assert_eq!(code(&[("tailLines", "-1")]), 422);
        assert_eq!(code(&[("limitBytes", "0")]), 422);
        assert_eq!(code(&[("sinceTime", "yesterday")]), 400);
        assert_eq!(code(&[("follow", "maybe")]), 400);
        assert_eq!(
            code(&[("sinceSeconds", "5"), ("sinceTime", "2026-01-01T00:00:00Z")]),
            422
        );
    }

    #[test]
    fn limit_budget() {
        let mut b = Some(5);
        assert_eq!(limit(b"abc", &mut b), 3);
        assert_eq!(limit(b"defg", &mut b), 2);
        assert_eq!(limit(b"x", &mut b), 0);
        assert_eq!(limit(b"xyz", &mut None), 3);
    }
}
