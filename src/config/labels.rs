//! Kubernetes name and label syntax: DNS labels, label keys/values, label selectors.

use std::sync::LazyLock;

use kube::core::{Expression, Selector};
use regex::Regex;

static DNS_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("valid regex"));
static LABEL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$").expect("valid regex")
});
static SET_FORM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\S+)\s+(in|notin)\s*\((.*)\)$").expect("valid regex"));

/// An RFC 1123 DNS label (namespaces, most object names): `[a-z0-9-]`, ≤ 63, alphanumeric ends.
pub fn check_dns_label(name: &str) -> Result<(), String> {
    if name.len() > 63 {
        return Err(format!("`{name}` is longer than 63 characters"));
    }
    if !DNS_LABEL.is_match(name) {
        return Err(format!(
            "`{name}` is not a valid DNS label: lower-case letters, digits and '-', \
             starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// An RFC 1035 label (Service names): a DNS label that starts with a letter.
pub fn check_service_name(name: &str) -> Result<(), String> {
    check_dns_label(name)?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(format!(
            "`{name}` is not a valid Service name: it must start with a letter"
        ));
    }
    Ok(())
}

/// An RFC 1123 subdomain (Deployment, HTTPRoute, Ingress names): dot-separated DNS labels, ≤ 253.
pub fn check_dns_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!("`{name}` is longer than 253 characters"));
    }
    name.split('.')
        .try_for_each(check_dns_label)
        .map_err(|_| format!("`{name}` is not a valid object name (RFC 1123 subdomain)"))
}

/// A label key: optional `prefix/` (a DNS subdomain) and a name of ≤ 63 characters.
pub fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        check_dns_subdomain(p).map_err(|_| format!("label key `{key}` has an invalid prefix"))?;
    }
    if name.len() > 63 || !LABEL_NAME.is_match(name) {
        return Err(format!(
            "`{key}` is not a valid label key: letters, digits, '-', '_' and '.', at most 63"
        ));
    }
    Ok(())
}

/// A label value: empty, or like a label name.
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || (value.len() <= 63 && LABEL_NAME.is_match(value)) {
        Ok(())
    } else {
        Err(format!(
            "`{value}` is not a valid label value: letters, digits, '-', '_' and '.', at most 63"
        ))
    }
}

/// Parse a label selector in kubectl's syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
/// `a in (x,y)`, `a notin (x,y)`, joined by commas.
pub fn parse_selector(text: &str) -> Result<Selector, String> {
    if text.trim().is_empty() {
        return Err("the selector is empty; it would select every pod in the namespace".into());
    }
    split_top_level(text)?
        .into_iter()
        .map(|req| parse_requirement(req.trim()))
        .collect()
}

/// The value a selector requires for `key` by equality (`key=value`), if any.
pub fn equality_value(selector: &Selector, key: &str) -> Option<String> {
    selector.clone().into_iter().find_map(|e| match e {
        Expression::Equal(k, v) if k == key => Some(v),
        _ => None,
    })
}

/// Whether some set of labels could match both selectors: false only when, for some key,
/// what one requires the other excludes (`deployment=blue` vs `deployment=green`,
/// `canary` vs `!canary`, `tier in (a)` vs `tier notin (a)`).
pub fn can_overlap(a: &Selector, b: &Selector) -> bool {
    use std::collections::{BTreeMap, BTreeSet};
    /// What the requirements on one key allow.
    #[derive(Default)]
    struct Allowed {
        must_exist: bool,
        must_not_exist: bool,
        /// Values it must be one of (None: any).
        within: Option<BTreeSet<String>>,
        /// Values it must not be.
        not: BTreeSet<String>,
    }
    let mut keys: BTreeMap<String, Allowed> = BTreeMap::new();
    for e in a.clone().into_iter().chain(b.clone()) {
        let one_of = |set: BTreeSet<String>, slot: &mut Allowed| {
            slot.must_exist = true;
            slot.within = Some(match slot.within.take() {
                Some(prev) => prev.intersection(&set).cloned().collect(),
                None => set,
            });
        };
        match e {
            Expression::Equal(k, v) => one_of(BTreeSet::from([v]), keys.entry(k).or_default()),
            Expression::In(k, vs) => one_of(vs, keys.entry(k).or_default()),
            Expression::NotEqual(k, v) => {
                keys.entry(k).or_default().not.insert(v);
            }
            Expression::NotIn(k, vs) => keys.entry(k).or_default().not.extend(vs),
            Expression::Exists(k) => keys.entry(k).or_default().must_exist = true,
            Expression::DoesNotExist(k) => keys.entry(k).or_default().must_not_exist = true,
        }
    }
    keys.values().all(|k| {
        let absent = !k.must_exist;
        let present = !k.must_not_exist
            && k.within
                .as_ref()
                .is_none_or(|vs| vs.iter().any(|v| !k.not.contains(v)));
        absent || present
    })
}

/// Split on commas outside parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(format!("unbalanced parentheses in selector `{text}`"));
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced parentheses in selector `{text}`"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(req: &str) -> Result<Expression, String> {
    if req.is_empty() {
        return Err("empty requirement in selector (stray comma?)".into());
    }
    let expr = if let Some(caps) = SET_FORM.captures(req) {
        let values = caps[3]
            .split(',')
            .map(|v| v.trim().to_owned())
            .collect::<std::collections::BTreeSet<_>>();
        for v in &values {
            check_label_value(v)?;
        }
        match &caps[2] {
            "in" => Expression::In(caps[1].to_owned(), values),
            _ => Expression::NotIn(caps[1].to_owned(), values),
        }
    } else if let Some((k, v)) = req.split_once("!=") {
        Expression::NotEqual(k.trim().to_owned(), value(v)?)
    } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
        Expression::Equal(k.trim().to_owned(), value(v)?)
    } else if let Some(k) = req.strip_prefix('!') {
        Expression::DoesNotExist(k.trim().to_owned())
    } else {
        Expression::Exists(req.to_owned())
    };
    check_label_key(key_of(&expr)).map_err(|e| format!("in requirement `{req}`: {e}"))?;
    Ok(expr)
}

fn value(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    check_label_value(v)?;
    Ok(v.to_owned())
}

fn key_of(e: &Expression) -> &str {
    match e {
        Expression::In(k, _)
        | Expression::NotIn(k, _)
        | Expression::Equal(k, _)
        | Expression::NotEqual(k, _)
        | Expression::Exists(k)
        | Expression::DoesNotExist(k) => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::SelectorExt;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn dns_labels() {
        assert!(check_dns_label("fittrack-blue").is_ok());
        assert!(check_dns_label("0abc").is_ok());
        for bad in ["", "Fittrack", "-a", "a-", "a_b", "a.b", &"a".repeat(64)] {
            assert!(check_dns_label(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_service_name("1svc").is_err());
        assert!(check_dns_subdomain("a.b-c").is_ok());
        assert!(check_dns_subdomain("a..b").is_err());
    }

    #[test]
    fn label_keys_and_values() {
        assert!(check_label_key("app.kubernetes.io/name").is_ok());
        assert!(check_label_key("deployment").is_ok());
        assert!(check_label_key("bad key").is_err());
        assert!(check_label_key("UPPER.example/x").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("v1.9.3").is_ok());
        assert!(check_label_value("-x").is_err());
    }

    #[test]
    fn equality_selectors_match_like_kubernetes() {
        let sel = parse_selector("app=fittrack, deployment==blue,tier!=db").unwrap();
        assert!(sel.matches(&labels(&[("app", "fittrack"), ("deployment", "blue")])));
        assert!(!sel.matches(&labels(&[("app", "fittrack"), ("deployment", "green")])));
        assert!(!sel.matches(&labels(&[
            ("app", "fittrack"),
            ("deployment", "blue"),
            ("tier", "db")
        ])));
        assert_eq!(equality_value(&sel, "deployment").as_deref(), Some("blue"));
        assert_eq!(equality_value(&sel, "tier"), None);
    }

    #[test]
    fn set_selectors_match_like_kubernetes() {
        let sel =
            parse_selector("deployment in (blue, green),env notin (dev),app,!canary").unwrap();
        let ok = labels(&[("deployment", "green"), ("env", "prod"), ("app", "x")]);
        assert!(sel.matches(&ok));
        let mut canary = ok.clone();
        canary.insert("canary".into(), "1".into());
        assert!(!sel.matches(&canary));
        assert!(!sel.matches(&labels(&[("deployment", "red"), ("app", "x")])));
    }

    #[test]
    fn selectors_overlap_unless_one_excludes_what_the_other_requires() {
        let overlap = |a: &str, b: &str| {
            can_overlap(&parse_selector(a).unwrap(), &parse_selector(b).unwrap())
        };
        assert!(!overlap("app=f,deployment=blue", "app=f,deployment=green"));
        assert!(overlap("app=f", "app=f,deployment=green"), "a superset");
        assert!(overlap("app=f,deployment=blue", "app=f, deployment==blue"));
        assert!(overlap("app=f", "tier=web"), "unrelated keys");
        assert!(!overlap("app=f,canary", "app=f,!canary"));
        assert!(!overlap("track in (a,b)", "track notin (a,b)"));
        assert!(overlap("track in (a,b)", "track notin (a)"));
        assert!(!overlap("track in (a)", "track in (b,c)"));
        assert!(!overlap("track=a", "track!=a,track"));
        assert!(
            overlap("track!=a", "track!=b"),
            "both match pods without `track`"
        );
    }

    #[test]
    fn bad_selectors_are_rejected_with_a_reason() {
        for (bad, why) in [
            ("", "empty"),
            ("app=fittrack,", "stray comma"),
            ("app in (a,b", "unbalanced"),
            ("a=b)", "unbalanced"),
            ("bad key=x", "not a valid label key"),
            ("app=fit track", "not a valid label value"),
        ] {
            let err = parse_selector(bad).expect_err(bad);
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
