//! The rights cutover's actions need, asked of the API server (SelfSubjectAccessReview), so
//! `check-config` says what a viewer identity cannot do before a release needs it.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use kube::Client;

use super::errors::explain;
use super::router;
use crate::config::check::{Finding, Level};
use crate::config::schema::{Config, DeployMode, ProbeTransport};

/// One right an action needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Right {
    /// The verb ("patch", "create", ...).
    pub verb: &'static str,
    /// The API group ("" for the core group).
    pub group: String,
    /// The resource (plural).
    pub resource: String,
    /// The subresource ("proxy", "portforward", "scale"), if any.
    pub subresource: &'static str,
    /// Where.
    pub namespace: String,
    /// What cannot work without it.
    pub for_what: &'static str,
}

impl Right {
    /// "patch httproutes.gateway.networking.k8s.io in fittrack".
    pub fn words(&self) -> String {
        let mut what = self.resource.clone();
        if !self.subresource.is_empty() {
            what = format!("{what}/{}", self.subresource);
        }
        if !self.group.is_empty() {
            what = format!("{what}.{}", self.group);
        }
        format!("{} {what} in {}", self.verb, self.namespace)
    }
}

/// Every right the configured actions need, per namespace.
pub fn needed(config: &Config) -> Vec<Right> {
    let ns = &config.router.namespace;
    let route = router::api_resource(config.router.kind);
    let right = |verb, group: &str, resource: &str, sub, namespace: &str, for_what| Right {
        verb,
        group: group.to_string(),
        resource: resource.to_string(),
        subresource: sub,
        namespace: namespace.to_string(),
        for_what,
    };
    let mut out = vec![
        right(
            "patch",
            &route.group,
            &route.plural,
            "",
            ns,
            "switch and rollback",
        ),
        right(
            "create",
            "events.k8s.io",
            "events",
            "",
            ns,
            "announcing outcomes as Events",
        ),
        right(
            "update",
            "",
            "configmaps",
            "",
            ns,
            "the shared history of actions",
        ),
    ];
    let deploys = config
        .deploy
        .as_ref()
        .is_some_and(|d| d.mode == DeployMode::Image);
    for (_, c) in config.colors.both() {
        let probes = match config.probes.transport {
            ProbeTransport::Proxy => right(
                "get",
                "",
                "services",
                "proxy",
                &c.namespace,
                "probes and smoke checks",
            ),
            ProbeTransport::PortForward => right(
                "create",
                "",
                "pods",
                "portforward",
                &c.namespace,
                "probes and smoke checks",
            ),
        };
        out.push(probes);
        if !config.smoke.command.is_empty() {
            out.push(right(
                "create",
                "",
                "pods",
                "portforward",
                &c.namespace,
                "the smoke suite's BASE_URL",
            ));
        }
        if c.deployment.is_some() {
            if deploys {
                out.push(right(
                    "patch",
                    "apps",
                    "deployments",
                    "",
                    &c.namespace,
                    "deploy (image mode)",
                ));
            }
            if config.decommission.command.is_empty() {
                out.push(right(
                    "patch",
                    "apps",
                    "deployments",
                    "scale",
                    &c.namespace,
                    "decommission and scaling back up",
                ));
            }
        }
    }
    out.dedup();
    out
}

/// Ask the server about every needed right: one error finding per right refused, one ok
/// finding when all are granted, a warning when the server cannot say.
pub async fn check(client: &Client, config: &Config) -> Vec<Finding> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let rights = needed(config);
    let mut refused = Vec::new();
    for r in &rights {
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(r.verb.into()),
                    group: Some(r.group.clone()),
                    resource: Some(r.resource.clone()),
                    subresource: (!r.subresource.is_empty()).then(|| r.subresource.into()),
                    namespace: Some(r.namespace.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        match api.create(&PostParams::default(), &review).await {
            Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => {}
            Ok(_) => refused.push(r),
            Err(e) => {
                return vec![Finding::new(
                    Level::Warn,
                    "rights",
                    format!(
                        "could not be checked: asking {} was refused: {}",
                        r.words(),
                        explain(&e)
                    ),
                )]
            }
        }
    }
    if refused.is_empty() {
        return vec![Finding::new(
            Level::Ok,
            "rights",
            format!(
                "every action's rights are granted ({} checked)",
                rights.len()
            ),
        )];
    }
    refused
        .into_iter()
        .map(|r| {
            Finding::new(
                Level::Error,
                "rights",
                format!(
                    "cannot {}: {} will be refused by the API server",
                    r.words(),
                    r.for_what
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::demo_config;

    #[test]
    fn the_demo_needs_the_router_patch_events_history_and_probes() {
        let words: Vec<String> = needed(&demo_config("fittrack", None))
            .iter()
            .map(Right::words)
            .collect();
        assert!(
            words.contains(&"patch httproutes.gateway.networking.k8s.io in fittrack".to_string()),
            "{words:?}"
        );
        assert!(
            words.contains(&"create events.events.k8s.io in fittrack".to_string()),
            "{words:?}"
        );
        assert!(
            words.contains(&"update configmaps in fittrack".to_string()),
            "{words:?}"
        );
        assert!(
            words.contains(&"get services/proxy in fittrack-green".to_string()),
            "{words:?}"
        );
        assert!(
            words.contains(&"patch deployments/scale.apps in fittrack-blue".to_string()),
            "{words:?}"
        );
    }
}
