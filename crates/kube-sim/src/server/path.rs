//! Request paths → what they address (discovery document, resource collection, object, subresource).

use crate::resources::{self, ResourceDef};

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `/api`: the core APIVersions.
    CoreVersions,
    /// `/apis`: the APIGroupList.
    Groups,
    /// `/apis/GROUP`: one APIGroup.
    Group(String),
    /// `/api/v1`, `/apis/GROUP/VERSION`: an APIResourceList.
    ResourceList(String, String),
    /// A collection, object or subresource.
    Resource(ResourcePath),
}

/// A path under a served resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePath {
    /// The resource definition.
    pub def: &'static ResourceDef,
    /// The namespace in the path (None: all namespaces, or a cluster-scoped resource).
    pub namespace: Option<String>,
    /// The object name, if the path names one.
    pub name: Option<String>,
    /// The subresource (`status`, `scale`, `log`, ...), if any.
    pub sub: Option<String>,
    /// Anything after the subresource (proxy paths).
    pub rest: String,
}

impl ResourcePath {
    /// The namespace for store access (`""` for cluster-scoped objects).
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// `plural` or `plural/sub`, as the permission table names resources.
    pub fn auth_resource(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}/{s}", self.def.plural),
            None => self.def.plural.to_string(),
        }
    }
}

fn valid_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".."
}

/// Parses a request path (without query). None means "no such path" (404).
pub fn parse(path: &str) -> Option<Target> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api"] => return Some(Target::CoreVersions),
        ["apis"] => return Some(Target::Groups),
        ["apis", g] => {
            return resources::group_versions()
                .iter()
                .any(|(gg, _)| gg == g)
                .then(|| Target::Group(g.to_string()))
        }
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    if !resources::has_group_version(group, version) {
        return None;
    }
    if rest.is_empty() {
        return Some(Target::ResourceList(group.into(), version.into()));
    }
    if !rest.iter().take(4).all(|s| valid_segment(s)) {
        return None;
    }
    let find = |plural: &str| resources::find(group, version, plural);
    // namespaces/NS/PLURAL/... when PLURAL is a namespaced resource of this group.
    if let ["namespaces", ns, plural, tail @ ..] = rest {
        if let Some(def) = find(plural).filter(|d| d.namespaced) {
            return object_path(def, Some(ns.to_string()), tail);
        }
    }
    let def = find(rest[0])?;
    if def.namespaced && rest.len() > 1 {
        return None;
    }
    object_path(def, None, &rest[1..])
}

fn object_path(
    def: &'static ResourceDef,
    namespace: Option<String>,
    tail: &[&str],
) -> Option<Target> {
    let (name, sub, rest) = match tail {
        [] => (None, None, String::new()),
        [name] => (Some(name.to_string()), None, String::new()),
        [name, sub, rest @ ..] => (
            Some(name.to_string()),
            Some(sub.to_string()),
            rest.join("/"),
        ),
    };
    if let Some(s) = &sub {
        if !def.subresources.contains(&s.as_str()) {
            return None;
        }
        if !rest.is_empty() && s != "proxy" {
            return None;
        }
    }
    Some(Target::Resource(ResourcePath {
        def,
        namespace,
        name,
        sub,
        rest,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Some(Target::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn discovery_paths() {
        assert_eq!(parse("/api"), Some(Target::CoreVersions));
        assert_eq!(parse("/apis/"), Some(Target::Groups));
        assert_eq!(parse("/apis/apps"), Some(Target::Group("apps".into())));
        assert_eq!(
            parse("/api/v1"),
            Some(Target::ResourceList("".into(), "v1".into()))
        );
        assert_eq!(
            parse("/apis/gateway.networking.k8s.io/v1beta1"),
            Some(Target::ResourceList(
                "gateway.networking.k8s.io".into(),
                "v1beta1".into()
            ))
        );
        assert_eq!(parse("/apis/nope"), None);
        assert_eq!(parse("/apis/apps/v2"), None);
    }

    #[test]
    fn resource_paths() {
        let r = res("/api/v1/namespaces/ns1/pods");
        assert_eq!(
            (r.def.plural, r.ns(), r.name.as_deref()),
            ("pods", "ns1", None)
        );
        let r = res("/apis/apps/v1/namespaces/ns1/deployments/web/scale");
        assert_eq!(
            (r.name.as_deref(), r.sub.as_deref()),
            (Some("web"), Some("scale"))
        );
        assert_eq!(r.auth_resource(), "deployments/scale");
        let r = res("/api/v1/pods");
        assert_eq!((r.def.plural, r.namespace.as_deref()), ("pods", None));
        let r = res("/api/v1/namespaces/ns1");
        assert_eq!(
            (r.def.plural, r.name.as_deref()),
            ("namespaces", Some("ns1"))
        );
        let r = res("/api/v1/namespaces/ns1/status");
        assert_eq!(
            (r.def.plural, r.sub.as_deref()),
            ("namespaces", Some("status"))
        );
        let r = res("/api/v1/namespaces/ns/services/web:8000/proxy/health/ready");
        assert_eq!(
            (r.sub.as_deref(), r.rest.as_str()),
            (Some("proxy"), "health/ready")
        );
        let r = res("/apis/events.k8s.io/v1/events");
        assert_eq!(r.def.group, "events.k8s.io");
    }

    #[test]
    fn unknown_paths() {
        for p in [
            "/",
            "/foo",
            "/api/v2/pods",
            "/api/v1/widgets",
            "/api/v1/pods/x",
            "/api/v1/namespaces/ns/pods/p/exec",
            "/api/v1/namespaces/ns/pods/p/status/x",
            "/api/v1/namespaces/ns/pods/../x",
            "/apis/apps/v1/namespaces/ns/pods",
        ] {
            assert_eq!(parse(p), None, "{p}");
        }
    }
}
