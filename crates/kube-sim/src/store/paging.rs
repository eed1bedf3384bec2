//! Consistent reads for paged lists: a resource's objects as they were at an earlier
//! resourceVersion, rebuilt from the current objects and the change history (what a real
//! server reads from etcd at the list's revision for each `continue` page).

use super::{ChangeKind, Expired, Store};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A position in a listing: (namespace, name); pages continue after it.
pub type ListKey = (String, String);

impl Store {
    /// The objects of `resource` in namespace `ns` (or all), sorted by (namespace, name), as
    /// of resourceVersion `at` (None: now), only those after `after`; with the version read
    /// at. Expired when `at` is older than the history reaches (compacted).
    pub fn list_at(
        &self,
        resource: &str,
        ns: Option<&str>,
        at: Option<u64>,
        after: Option<&ListKey>,
    ) -> Result<(Vec<Arc<Value>>, u64), Expired> {
        let inner = self.lock();
        let rv = at.unwrap_or(inner.rv).min(inner.rv);
        if rv < inner.floor {
            return Err(Expired {
                requested: rv,
                oldest: inner.floor,
            });
        }
        let wanted = |n: &str, name: &str| {
            ns.is_none_or(|want| want == n)
                && after.is_none_or(|(an, aname)| (n, name) > (an.as_str(), aname.as_str()))
        };
        let lo = (
            resource.to_string(),
            ns.unwrap_or("").to_string(),
            String::new(),
        );
        let mut items: BTreeMap<ListKey, Option<Arc<Value>>> = inner
            .objects
            .range(lo..)
            .take_while(|((r, n, _), _)| r == resource && ns.is_none_or(|want| n == want))
            .filter(|((_, n, name), _)| wanted(n, name))
            .map(|((_, n, name), v)| ((n.clone(), name.clone()), Some(v.clone())))
            .collect();
        // Undo the changes after `rv`, newest first: each key ends at its state before the
        // oldest of them, i.e. at `rv`.
        for c in inner.history.iter().rev().take_while(|c| c.rv > rv) {
            if c.resource != resource || !wanted(&c.namespace, &c.name) {
                continue;
            }
            let before = match c.kind {
                ChangeKind::Added => None,
                ChangeKind::Modified | ChangeKind::Deleted => c.old.clone(),
            };
            items.insert((c.namespace.clone(), c.name.clone()), before);
        }
        Ok((items.into_values().flatten().collect(), rv))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(items: &[Arc<Value>]) -> Vec<String> {
        items
            .iter()
            .map(|o| {
                format!(
                    "{}={}",
                    o["metadata"]["name"].as_str().unwrap(),
                    o["data"]["v"]
                )
            })
            .collect()
    }

    #[test]
    fn lists_as_of_an_earlier_version() {
        let s = Store::new();
        for n in ["a", "b", "c"] {
            s.create(
                "configmaps",
                "ns",
                json!({"metadata": {"name": n}, "data": {"v": 1}}),
            )
            .unwrap();
        }
        let then = s.resource_version();
        s.modify("configmaps", "ns", "a", |o| o["data"]["v"] = json!(2))
            .unwrap();
        s.delete("configmaps", "ns", "b").unwrap();
        s.create(
            "configmaps",
            "ns",
            json!({"metadata": {"name": "d"}, "data": {"v": 1}}),
        )
        .unwrap();
        s.create(
            "configmaps",
            "other",
            json!({"metadata": {"name": "a"}, "data": {"v": 9}}),
        )
        .unwrap();
        let (old, rv) = s
            .list_at("configmaps", Some("ns"), Some(then), None)
            .unwrap();
        assert_eq!(rv, then);
        assert_eq!(names(&old), ["a=1", "b=1", "c=1"]);
        let after = ("ns".to_string(), "a".to_string());
        let (rest, _) = s
            .list_at("configmaps", Some("ns"), Some(then), Some(&after))
            .unwrap();
        assert_eq!(names(&rest), ["b=1", "c=1"]);
        let (now, _) = s.list_at("configmaps", None, None, None).unwrap();
        assert_eq!(names(&now), ["a=2", "c=1", "d=1", "a=9"]);
        s.compact();
        assert!(s
            .list_at("configmaps", Some("ns"), Some(then), None)
            .is_err());
    }
}
