//! The resource table: every kind the simulator serves, with its discovery facts.

/// One served resource (group/version/kind/plural, scope, verbs, subresources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceDef {
    /// API group (`""` for core).
    pub group: &'static str,
    /// API version (`v1`, `v1beta1`).
    pub version: &'static str,
    /// Kind (`Pod`).
    pub kind: &'static str,
    /// Plural, as in URLs (`pods`).
    pub plural: &'static str,
    /// Singular name (`pod`).
    pub singular: &'static str,
    /// Short names kubectl resolves (`po`).
    pub short_names: &'static [&'static str],
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs on the main resource.
    pub verbs: &'static [&'static str],
    /// Subresources served (`status`, `scale`, `log`, `portforward`, `proxy`).
    pub subresources: &'static [&'static str],
    /// The store's key for these objects (events of both groups share `events`).
    pub store: &'static str,
    /// Whether strategic merge patches apply (built-in kinds); custom resources on a real
    /// cluster (the Gateway API kinds) answer them 415 UnsupportedMediaType.
    pub strategic_merge: bool,
}

impl ResourceDef {
    /// `group/version`, or `v1` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether writes to the main resource keep the stored status (status is a subresource).
    pub fn has_status(&self) -> bool {
        self.subresources.contains(&"status")
    }

    /// Whether the resource can be created/read/listed like a normal object.
    pub fn is_stored(&self) -> bool {
        self.verbs.contains(&"get")
    }
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE_ONLY: &[&str] = &["create"];

/// A read-write resource: (group, version), kind, (plural, singular), ...
const fn def(
    (group, version): (&'static str, &'static str),
    kind: &'static str,
    (plural, singular): (&'static str, &'static str),
    short_names: &'static [&'static str],
    namespaced: bool,
    subresources: &'static [&'static str],
) -> ResourceDef {
    ResourceDef {
        group,
        version,
        kind,
        plural,
        singular,
        short_names,
        namespaced,
        verbs: RW,
        subresources,
        store: plural,
        strategic_merge: true,
    }
}

/// A resource that is a CustomResourceDefinition on a real cluster (no strategic merge).
const fn crd(d: ResourceDef) -> ResourceDef {
    ResourceDef {
        strategic_merge: false,
        ..d
    }
}

/// Every resource the simulator serves.
pub static RESOURCES: &[ResourceDef] = &[
    def(
        ("", "v1"),
        "Namespace",
        ("namespaces", "namespace"),
        &["ns"],
        false,
        &["status"],
    ),
    def(
        ("", "v1"),
        "Pod",
        ("pods", "pod"),
        &["po"],
        true,
        &["status", "log", "portforward", "proxy"],
    ),
    def(
        ("", "v1"),
        "Service",
        ("services", "service"),
        &["svc"],
        true,
        &["status", "proxy"],
    ),
    def(
        ("", "v1"),
        "ConfigMap",
        ("configmaps", "configmap"),
        &["cm"],
        true,
        &[],
    ),
    def(("", "v1"), "Event", ("events", "event"), &["ev"], true, &[]),
    def(
        ("apps", "v1"),
        "Deployment",
        ("deployments", "deployment"),
        &["deploy"],
        true,
        &["status", "scale"],
    ),
    def(
        ("apps", "v1"),
        "ReplicaSet",
        ("replicasets", "replicaset"),
        &["rs"],
        true,
        &["status", "scale"],
    ),
    def(
        ("discovery.k8s.io", "v1"),
        "EndpointSlice",
        ("endpointslices", "endpointslice"),
        &[],
        true,
        &[],
    ),
    def(
        ("networking.k8s.io", "v1"),
        "Ingress",
        ("ingresses", "ingress"),
        &["ing"],
        true,
        &["status"],
    ),
    def(
        ("coordination.k8s.io", "v1"),
        "Lease",
        ("leases", "lease"),
        &[],
        true,
        &[],
    ),
    def(
        ("events.k8s.io", "v1"),
        "Event",
        ("events", "event"),
        &["ev"],
        true,
        &[],
    ),
    ResourceDef {
        verbs: CREATE_ONLY,
        ..def(
            ("authorization.k8s.io", "v1"),
            "SelfSubjectAccessReview",
            ("selfsubjectaccessreviews", "selfsubjectaccessreview"),
            &[],
            false,
            &[],
        )
    },
    ResourceDef {
        verbs: CREATE_ONLY,
        ..def(
            ("authentication.k8s.io", "v1"),
            "SelfSubjectReview",
            ("selfsubjectreviews", "selfsubjectreview"),
            &[],
            false,
            &[],
        )
    },
    crd(def(
        ("gateway.networking.k8s.io", "v1"),
        "Gateway",
        ("gateways", "gateway"),
        &["gtw"],
        true,
        &["status"],
    )),
    crd(def(
        ("gateway.networking.k8s.io", "v1"),
        "HTTPRoute",
        ("httproutes", "httproute"),
        &[],
        true,
        &["status"],
    )),
    crd(def(
        ("gateway.networking.k8s.io", "v1beta1"),
        "ReferenceGrant",
        ("referencegrants", "referencegrant"),
        &["refgrant"],
        true,
        &[],
    )),
];

/// The resource `plural` served at `group/version`.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Whether `group/version` is served at all.
pub fn has_group_version(group: &str, version: &str) -> bool {
    RESOURCES
        .iter()
        .any(|r| r.group == group && r.version == version)
}

/// The served (group, version) pairs, core first, in table order without duplicates.
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

/// Whether a real API server keeps `metadata.generation` for objects of this store key: the
/// workloads, EndpointSlices, Ingresses and custom resources do; Pods (before 1.33),
/// Services, ConfigMaps, Events, Leases and Namespaces do not.
pub fn tracks_generation(store: &str) -> bool {
    matches!(
        store,
        "deployments"
            | "replicasets"
            | "endpointslices"
            | "ingresses"
            | "gateways"
            | "httproutes"
            | "referencegrants"
    )
}

/// Whether a DELETE that removes the object at once answers with the object (the real
/// registries of Pods, Services and Namespaces set `ReturnDeletedObject`); the others answer
/// a `Status` of kind Success.
pub fn returns_deleted_object(store: &str) -> bool {
    matches!(store, "pods" | "services" | "namespaces")
}

/// The definition used for a stored kind's writes from the simulator (by store key and group).
pub fn by_store(store: &str, group: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .find(|r| r.store == store && r.group == group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let d = find("apps", "v1", "deployments").unwrap();
        assert_eq!(d.kind, "Deployment");
        assert_eq!(d.api_version(), "apps/v1");
        assert!(d.has_status());
        assert_eq!(find("", "v1", "pods").unwrap().api_version(), "v1");
        assert!(find("apps", "v2", "deployments").is_none());
        assert_eq!(
            find("events.k8s.io", "v1", "events").unwrap().store,
            "events"
        );
        assert!(
            !find("authorization.k8s.io", "v1", "selfsubjectaccessreviews")
                .unwrap()
                .is_stored()
        );
        assert!(has_group_version("gateway.networking.k8s.io", "v1beta1"));
        assert!(d.strategic_merge);
        for plural in ["gateways", "httproutes"] {
            assert!(
                !find("gateway.networking.k8s.io", "v1", plural)
                    .unwrap()
                    .strategic_merge
            );
        }
        assert!(
            !find("gateway.networking.k8s.io", "v1beta1", "referencegrants")
                .unwrap()
                .strategic_merge
        );
        let gvs = group_versions();
        assert_eq!(gvs[0], ("", "v1"));
        assert_eq!(
            gvs.iter()
                .filter(|g| g.0 == "gateway.networking.k8s.io")
                .count(),
            2
        );
    }

    #[test]
    fn plurals_are_unique_per_group_version() {
        for (i, a) in RESOURCES.iter().enumerate() {
            for b in &RESOURCES[i + 1..] {
                assert!(!(a.group == b.group && a.version == b.version && a.plural == b.plural));
            }
        }
    }
}
