//! Label and field selectors, parsed from the query-string forms kubectl and kube-rs send.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Why a selector string was refused (answered as 400 BadRequest).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid selector {input:?}: {reason}")]
pub struct SelectorError {
    /// The selector as given.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` or `key==value`.
    Eq(String, String),
    /// `key!=value` (also true when the label is absent).
    NotEq(String, String),
    /// `key in (a,b)`.
    In(String, Vec<String>),
    /// `key notin (a,b)` (also true when the label is absent).
    NotIn(String, Vec<String>),
    /// `key`: the label exists.
    Exists(String),
    /// `!key`: the label does not exist.
    NotExists(String),
}

/// A parsed label selector: all requirements must hold. Empty selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// The requirements, in the order given.
    pub requirements: Vec<Requirement>,
}

fn err(input: &str, reason: impl Into<String>) -> SelectorError {
    SelectorError {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Label keys: optional DNS prefix + '/' + name of [A-Za-z0-9._-]; values the same without '/'.
fn valid_token(s: &str, allow_slash: bool) -> bool {
    !s.is_empty()
        && s.len() <= 317
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '.'
                || c == '-'
                || c == '_'
                || (allow_slash && c == '/')
        })
}

fn valid_value(s: &str) -> bool {
    s.is_empty() || valid_token(s, false)
}

/// Splits on commas that are not inside parentheses.
fn split_top(input: &str) -> Result<Vec<&str>, SelectorError> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in input.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(err(input, "unbalanced ')'"));
                }
            }
            ',' if depth == 0 => {
                parts.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(err(input, "unbalanced '('"));
    }
    parts.push(&input[start..]);
    Ok(parts)
}

fn parse_set(input: &str, key: &str, rest: &str) -> Result<(String, Vec<String>), SelectorError> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| err(input, format!("expected '(values)' after {key:?}")))?;
    let mut values = Vec::new();
    for v in inner.split(',') {
        let v = v.trim();
        if !valid_value(v) {
            return Err(err(input, format!("invalid value {v:?}")));
        }
        values.push(v.to_string());
    }
    Ok((key.to_string(), values))
}

fn parse_requirement(input: &str, part: &str) -> Result<Requirement, SelectorError> {
    let p = part.trim();
    if p.is_empty() {
        return Err(err(input, "empty requirement"));
    }
    let key_ok = |k: &str| {
        if valid_token(k, true) {
            Ok(k.to_string())
        } else {
            Err(err(input, format!("invalid key {k:?}")))
        }
    };
    let val_ok = |v: &str| {
        let v = v.trim();
        if valid_value(v) {
            Ok(v.to_string())
        } else {
            Err(err(input, format!("invalid value {v:?}")))
        }
    };
    if let Some(k) = p.strip_prefix('!') {
        return Ok(Requirement::NotExists(key_ok(k.trim())?));
    }
    if let Some((k, v)) = p.split_once("!=") {
        return Ok(Requirement::NotEq(key_ok(k.trim())?, val_ok(v)?));
    }
    if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
        return Ok(Requirement::Eq(key_ok(k.trim())?, val_ok(v)?));
    }
    if let Some((k, rest)) = p.split_once(char::is_whitespace) {
        let k = key_ok(k.trim())?;
        let rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("notin") {
            let (k, vs) = parse_set(input, &k, r)?;
            return Ok(Requirement::NotIn(k, vs));
        }
        if let Some(r) = rest.strip_prefix("in") {
            let (k, vs) = parse_set(input, &k, r)?;
            return Ok(Requirement::In(k, vs));
        }
        return Err(err(input, format!("unknown operator in {p:?}")));
    }
    Ok(Requirement::Exists(key_ok(p)?))
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (x,y),!f`. Whitespace-only or empty input selects everything.
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        if input.trim().is_empty() {
            return Ok(Self::default());
        }
        let requirements = split_top(input)?
            .into_iter()
            .map(|part| parse_requirement(input, part))
            .collect::<Result<_, _>>()?;
        Ok(Self { requirements })
    }

    /// A selector from a map of required equalities (a Service's `spec.selector`).
    pub fn from_map(map: &BTreeMap<String, String>) -> Self {
        let requirements = map
            .iter()
            .map(|(k, v)| Requirement::Eq(k.clone(), v.clone()))
            .collect();
        Self { requirements }
    }

    /// True when the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Eq(k, v) => labels.get(k) == Some(v),
            Requirement::NotEq(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
    }

    /// True when the object's `metadata.labels` satisfy the selector.
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.requirements.is_empty() || self.matches(&labels_of(obj))
    }
}

/// The `metadata.labels` of an object as a map (non-string values are skipped).
pub fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    obj.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Eq(k, v) => write!(f, "{k}={v}"),
            Requirement::NotEq(k, v) => write!(f, "{k}!={v}"),
            Requirement::In(k, vs) => write!(f, "{k} in ({})", vs.join(",")),
            Requirement::NotIn(k, vs) => write!(f, "{k} notin ({})", vs.join(",")),
            Requirement::Exists(k) => write!(f, "{k}"),
            Requirement::NotExists(k) => write!(f, "!{k}"),
        }
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(|r| r.to_string()).collect();
        f.write_str(&parts.join(","))
    }
}

/// A field selector: `path=value` / `path!=value` over dotted JSON paths
/// (`metadata.name`, `metadata.namespace`, `involvedObject.name`, `status.phase`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    /// (dotted path, wanted value, true for equality / false for inequality).
    pub terms: Vec<(String, String, bool)>,
}

impl FieldSelector {
    /// Parses `metadata.name=x,status.phase!=Running`. Set forms are not allowed for fields.
    pub fn parse(input: &str) -> Result<Self, SelectorError> {
        let mut terms = Vec::new();
        if input.trim().is_empty() {
            return Ok(Self { terms });
        }
        for part in input.split(',') {
            let (path, value, eq) = if let Some((k, v)) = part.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k, v, true)
            } else {
                return Err(err(input, format!("expected 'field=value', got {part:?}")));
            };
            let path = path.trim();
            let ok = !path.is_empty() && path.split('.').all(|seg| valid_token(seg, false));
            if !ok {
                return Err(err(input, format!("invalid field {path:?}")));
            }
            terms.push((path.to_string(), value.trim().to_string(), eq));
        }
        Ok(Self { terms })
    }

    /// True when every term holds (a missing field compares as the empty string).
    pub fn matches_object(&self, obj: &Value) -> bool {
        self.terms
            .iter()
            .all(|(path, want, eq)| (crate::field_labels::value(obj, path) == *want) == *eq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn equality_and_set_forms_match() {
        let l = labels(&[("app", "fittrack"), ("deployment", "blue")]);
        let yes = [
            "app=fittrack",
            "app==fittrack,deployment",
            "deployment in (blue, green)",
            "tier notin (db)",
            "!tier",
            "app!=other",
            "",
        ];
        for s in yes {
            assert!(LabelSelector::parse(s).unwrap().matches(&l), "{s}");
        }
        let no = [
            "app=other",
            "deployment notin (blue)",
            "!app",
            "tier",
            "deployment in (green)",
        ];
        for s in no {
            assert!(!LabelSelector::parse(s).unwrap().matches(&l), "{s}");
        }
    }

    #[test]
    fn bad_selectors_are_errors() {
        for s in [
            "a=(", "a in b", "=x", "a in (b", "a)", "a=b,,c", "a b", "a=b c",
        ] {
            assert!(LabelSelector::parse(s).is_err(), "{s}");
        }
        assert!(FieldSelector::parse("metadata.name").is_err());
        assert!(FieldSelector::parse("=x").is_err());
    }

    #[test]
    fn field_selector_matches_paths() {
        let pod =
            json!({"metadata": {"name": "p1", "namespace": "ns"}, "status": {"phase": "Running"}});
        assert!(FieldSelector::parse("metadata.name=p1")
            .unwrap()
            .matches_object(&pod));
        assert!(!FieldSelector::parse("metadata.name=p2")
            .unwrap()
            .matches_object(&pod));
        assert!(
            FieldSelector::parse("status.phase!=Pending,metadata.namespace=ns")
                .unwrap()
                .matches_object(&pod)
        );
        assert!(FieldSelector::parse("spec.nodeName=")
            .unwrap()
            .matches_object(&pod));
        let derived = json!({"spec": {"nodeName": "n1"}, "status": {"podIPs": [{"ip": "10.0.0.1"}]},
            "reportingComponent": "kubelet"});
        for s in [
            "spec.host=n1",
            "spec.hostNetwork=false",
            "status.podIPs=10.0.0.1",
            "source=kubelet",
        ] {
            assert!(
                FieldSelector::parse(s).unwrap().matches_object(&derived),
                "{s}"
            );
        }
    }

    fn key() -> impl Strategy<Value = String> {
        "[a-z]([a-z0-9.-]{0,6}/)?[a-z0-9_]{1,6}"
    }
    fn val() -> impl Strategy<Value = String> {
        "[a-z0-9]{1,5}"
    }
    fn requirement() -> impl Strategy<Value = Requirement> {
        prop_oneof![
            (key(), val()).prop_map(|(k, v)| Requirement::Eq(k, v)),
            (key(), val()).prop_map(|(k, v)| Requirement::NotEq(k, v)),
            (key(), prop::collection::vec(val(), 1..3)).prop_map(|(k, v)| Requirement::In(k, v)),
            (key(), prop::collection::vec(val(), 1..3)).prop_map(|(k, v)| Requirement::NotIn(k, v)),
            key().prop_map(Requirement::Exists),
            key().prop_map(Requirement::NotExists),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = LabelSelector::parse(&s);
            let _ = FieldSelector::parse(&s);
        }

        #[test]
        fn display_round_trips(reqs in prop::collection::vec(requirement(), 0..5)) {
            let sel = LabelSelector { requirements: reqs };
            let text = sel.to_string();
            prop_assert_eq!(LabelSelector::parse(&text).unwrap(), sel);
        }

        #[test]
        fn from_map_matches_its_own_labels(m in prop::collection::btree_map(key(), val(), 0..5)) {
            prop_assert!(LabelSelector::from_map(&m).matches(&m));
        }
    }
}
