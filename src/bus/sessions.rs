//! Presence of cockpits: each announces itself with its own short-lived Lease (labelled
//! `cutover.dev/session`, named after `user@host` and the process), renewed every
//! `SESSION_RENEW_SECS` s (4 writes a minute) and deleted on quit; every announced
//! cockpit watches them all.
//! Best effort: a failure is told once and the cockpit goes on unlisted.

use std::time::Duration;

use chrono::Utc;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use tokio::task::JoinSet;

use super::lease::micro;
use super::{watch, Ctx};
use crate::app::msg::Msg;
use crate::app::peers::{LeaseEvent, SessionView, SESSION_LABEL};
use crate::cluster::clean;
use crate::cluster::convert::to_chrono;
use crate::model::Feed;

/// Seconds a session lasts without renewal (three renewals: two may fail).
const SESSION_SECS: i32 = 45;
/// Seconds between renewals of this cockpit's session.
const SESSION_RENEW_SECS: u64 = 15;
/// Longest one write may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

fn api(ctx: &Ctx) -> Api<Lease> {
    Api::namespaced(ctx.client.clone(), &ctx.config.router.namespace)
}

/// Start announcing `holder` and watching the sessions; returns the session's name.
pub fn announce(ctx: &Ctx, holder: &str, tasks: &mut JoinSet<()>) -> String {
    let name = session_name(holder, std::process::id());
    tasks.spawn(keep(ctx.clone(), name.clone(), holder.to_string()));
    tasks.spawn(sessions_watch(ctx.clone()));
    name
}

/// `cutover-session-<user-host>-<pid>`, as a DNS label-like name.
pub fn session_name(holder: &str, pid: u32) -> String {
    let mut slug = String::new();
    for c in holder.to_lowercase().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (slug.is_empty() || slug.ends_with('-'))) {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    format!("cutover-session-{}-{pid:x}", slug.trim_end_matches('-'))
}

async fn sessions_watch(ctx: Ctx) {
    let wc = watch::config().labels(SESSION_LABEL);
    watch::run(api(&ctx), wc, Feed::Sessions, ctx.tx.clone(), |_, store| {
        vec![Msg::Lease(LeaseEvent::Sessions(
            store.values().map(view).collect(),
        ))]
    })
    .await;
}

/// A session as `update` sees it.
pub fn view(l: &Lease) -> SessionView {
    let spec = l.spec.clone().unwrap_or_default();
    SessionView {
        name: l.metadata.name.clone().unwrap_or_default(),
        holder: clean(spec.holder_identity.as_deref().unwrap_or_default()),
        renewed: spec.renew_time.and_then(|t| to_chrono(&t.0)),
        duration_secs: i64::from(spec.lease_duration_seconds.unwrap_or(0)),
        resource_version: l.metadata.resource_version.clone().unwrap_or_default(),
    }
}

/// Create the session, then renew it at the version last written (re-created when it
/// vanished or changed); the first failure is told once.
async fn keep(ctx: Ctx, name: String, holder: String) {
    let mut rv: Option<String> = None;
    let mut told = false;
    let mut tick = tokio::time::interval(Duration::from_secs(SESSION_RENEW_SECS));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match write(&ctx, &name, &holder, rv.clone()).await {
            Ok(new) => rv = new,
            Err(e) => {
                rv = None;
                if !told {
                    told = true;
                    let _ = ctx.tx.send(Msg::Lease(LeaseEvent::Hidden(e)));
                }
            }
        }
    }
}

async fn write(
    ctx: &Ctx,
    name: &str,
    holder: &str,
    rv: Option<String>,
) -> Result<Option<String>, String> {
    let now = micro(Utc::now());
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(ctx.config.router.namespace.clone()),
            labels: Some([(SESSION_LABEL.to_string(), "true".to_string())].into()),
            resource_version: rv.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(holder.to_string()),
            acquire_time: Some(now.clone()),
            renew_time: Some(now),
            lease_duration_seconds: Some(SESSION_SECS),
            ..LeaseSpec::default()
        }),
    };
    let api = api(ctx);
    let pp = PostParams::default();
    let result = match rv {
        None => timed(api.create(&pp, &lease)).await,
        Some(_) => timed(api.replace(name, &pp, &lease)).await,
    };
    match result {
        Ok(l) => Ok(l.metadata.resource_version),
        // A leftover of the same name (a restarted process with the same pid): take it.
        Err(Some(kube::Error::Api(s))) if s.code == 409 => {
            let current = timed(api.get(name)).await.map_err(words)?;
            let mut lease = lease;
            lease.metadata.resource_version = current.metadata.resource_version;
            let l = timed(api.replace(name, &pp, &lease)).await.map_err(words)?;
            Ok(l.metadata.resource_version)
        }
        Err(e) => Err(words(e)),
    }
}

/// Delete an abandoned session if it is still at `expected` (best effort).
pub fn forget(ctx: &Ctx, name: String, expected: String) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let dp = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: Some(expected),
                uid: None,
            }),
            ..DeleteParams::default()
        };
        if let Err(e) = timed(api(&ctx).delete(&name, &dp)).await {
            tracing::debug!("deleting the abandoned session {name}: {}", words(e));
        }
    });
}

/// Delete this cockpit's own session on quit (best effort, bounded).
pub async fn end(ctx: &Ctx, name: &str) {
    if let Err(e) = timed(api(ctx).delete(name, &DeleteParams::default())).await {
        tracing::debug!("deleting our session {name}: {}", words(e));
    }
}

/// A request bounded by [`WRITE_TIMEOUT`]; None is a timeout.
async fn timed<T>(
    request: impl std::future::Future<Output = kube::Result<T>>,
) -> Result<T, Option<kube::Error>> {
    match tokio::time::timeout(WRITE_TIMEOUT, request).await {
        Ok(r) => r.map_err(Some),
        Err(_) => Err(None),
    }
}

fn words(e: Option<kube::Error>) -> String {
    match e {
        Some(e) => clean(&crate::cluster::errors::explain(&e)),
        None => format!("no answer within {} s", WRITE_TIMEOUT.as_secs()),
    }
}

#[cfg(test)]
mod tests {
    use super::session_name;

    #[test]
    fn session_names_are_dns_names() {
        assert_eq!(
            session_name("Alice@Laptop.local", 255),
            "cutover-session-alice-laptop-local-ff"
        );
        assert_eq!(session_name("@@", 1), "cutover-session--1");
    }
}
