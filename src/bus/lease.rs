//! The driver lease `cutover-driver` (coordination.k8s.io/v1, in the router's namespace):
//! watched for every face, claimed before a traffic action, renewed and released for
//! `update`. Every write carries the resourceVersion last read (or is a create), so two
//! cockpits never both believe they hold it: the loser gets 409 Conflict / AlreadyExists.

use chrono::{DateTime, Utc};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use tokio::task::JoinSet;

use super::{watch, Ctx};
use crate::app::msg::Msg;
use crate::app::peers::{LeaseClaim, LeaseEvent, LeaseView, LeaseWrite, DRIVER_LEASE};
use crate::cluster::clean;
use crate::cluster::convert::to_chrono;
use crate::model::Feed;

/// Longest one lease write may take.
const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Watch the lease (one long-lived watch: no request per renewal of someone else's).
pub fn spawn(ctx: &Ctx, tasks: &mut JoinSet<()>) {
    tasks.spawn(lease_watch(ctx.clone()));
}

async fn lease_watch(ctx: Ctx) {
    let wc = watch::config().fields(&format!("metadata.name={DRIVER_LEASE}"));
    watch::run(api(&ctx), wc, Feed::Lease, ctx.tx.clone(), |_, store| {
        vec![Msg::Lease(LeaseEvent::Read(
            store.values().next().map(view),
        ))]
    })
    .await;
}

fn api(ctx: &Ctx) -> Api<Lease> {
    Api::namespaced(ctx.client.clone(), &ctx.config.router.namespace)
}

/// The lease as `update` sees it (strings cleaned).
pub fn view(l: &Lease) -> LeaseView {
    let spec = l.spec.clone().unwrap_or_default();
    let time = |t: Option<MicroTime>| t.and_then(|t| to_chrono(&t.0));
    LeaseView {
        holder: clean(spec.holder_identity.as_deref().unwrap_or_default()),
        acquired: time(spec.acquire_time),
        renewed: time(spec.renew_time),
        duration_secs: i64::from(spec.lease_duration_seconds.unwrap_or(0)),
        resource_version: l.metadata.resource_version.clone().unwrap_or_default(),
    }
}

/// Carry out a write for `update`; its result comes back as `Msg::Lease(Wrote)`.
pub fn execute(ctx: &Ctx, write: LeaseWrite) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let result = match write {
            LeaseWrite::Claim(c) => claim(&ctx, &c).await,
            LeaseWrite::Release { expected } => release(&ctx, &expected).await,
            other => {
                tracing::warn!(?other, "not a driver-lease write");
                return;
            }
        };
        let _ = ctx.tx.send(Msg::Lease(LeaseEvent::Wrote(result)));
    });
}

/// Take the lease before an action acts, when it must (`claim`), and tell `update` what
/// was written; the error says that nothing was.
pub async fn take(ctx: &Ctx, claim: Option<&LeaseClaim>) -> Result<(), String> {
    let Some(c) = claim else {
        return Ok(());
    };
    match self::claim(ctx, c).await {
        Ok(view) => {
            let _ = ctx.tx.send(Msg::Lease(LeaseEvent::Wrote(Ok(view))));
            Ok(())
        }
        Err(e) => Err(format!("taking the driver lease: {e}; nothing was written")),
    }
}

/// Take (or renew) the lease: create it when none was read, else replace it at the
/// resourceVersion read. A lease changed meanwhile is an error naming its holder now.
pub async fn claim(ctx: &Ctx, c: &LeaseClaim) -> Result<LeaseView, String> {
    let now = Utc::now();
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(DRIVER_LEASE.into()),
            namespace: Some(ctx.config.router.namespace.clone()),
            resource_version: c.expected.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(c.holder.clone()),
            acquire_time: Some(micro(c.acquired.unwrap_or(now))),
            renew_time: Some(micro(now)),
            lease_duration_seconds: Some(c.duration_secs as i32),
            ..LeaseSpec::default()
        }),
    };
    let api = api(ctx);
    let pp = PostParams::default();
    let written = match &c.expected {
        None => within(api.create(&pp, &lease)).await,
        Some(_) => within(api.replace(DRIVER_LEASE, &pp, &lease)).await,
    };
    match written {
        Ok(l) => Ok(view(&l)),
        Err(e) => Err(refused(ctx, e).await),
    }
}

/// Clear the holder, if the lease is still at `expected` (a takeover meanwhile stays).
async fn release(ctx: &Ctx, expected: &str) -> Result<LeaseView, String> {
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(DRIVER_LEASE.into()),
            namespace: Some(ctx.config.router.namespace.clone()),
            resource_version: Some(expected.to_string()),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec::default()),
    };
    match within(api(ctx).replace(DRIVER_LEASE, &PostParams::default(), &lease)).await {
        Ok(l) => Ok(view(&l)),
        Err(e) => Err(refused(ctx, e).await),
    }
}

/// Release on quit, waiting for the answer (bounded).
pub async fn release_now(ctx: &Ctx, write: LeaseWrite) {
    if let LeaseWrite::Release { expected } = write {
        if let Err(e) = release(ctx, &expected).await {
            tracing::warn!("releasing the driver lease: {e}");
        }
    }
}

/// Why a write was refused, in words; a conflict names who holds the lease now.
async fn refused(ctx: &Ctx, e: Failure) -> String {
    let conflict = matches!(&e, Failure::Kube(kube::Error::Api(s)) if s.code == 409);
    if !conflict {
        return e.to_string();
    }
    let now = match within(api(ctx).get_opt(DRIVER_LEASE)).await {
        Ok(Some(l)) => view(&l).holder,
        _ => String::new(),
    };
    match now.as_str() {
        "" => "the driver lease changed meanwhile".into(),
        holder => format!("the driver lease changed meanwhile: {holder} holds it now"),
    }
}

/// A failed write.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("no answer within {} s", WRITE_TIMEOUT.as_secs())]
    Timeout,
    #[error("{}", clean(&crate::cluster::errors::explain(.0)))]
    Kube(kube::Error),
}

async fn within<T>(
    request: impl std::future::Future<Output = kube::Result<T>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(WRITE_TIMEOUT, request).await {
        Ok(r) => r.map_err(Failure::Kube),
        Err(_) => Err(Failure::Timeout),
    }
}

/// A chrono time as the API's MicroTime.
pub(super) fn micro(t: DateTime<Utc>) -> MicroTime {
    MicroTime(
        k8s_openapi::jiff::Timestamp::from_microsecond(t.timestamp_micros())
            .unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
    )
}
