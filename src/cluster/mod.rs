//! Kubernetes adapters: client, router objects, conversions to model values.

pub mod check;
pub mod client;
pub mod convert;
pub mod errors;
pub mod rights;
pub mod router;
pub mod switch_patch;

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

/// Longest cluster-sourced string kept (names, reasons, messages), in characters.
pub(crate) const MAX_FIELD_CHARS: usize = 512;

/// A client that has already authenticated against the chosen context.
#[derive(Clone)]
pub struct Connected {
    /// The client, ready to use.
    pub client: kube::Client,
    /// Name of the kubeconfig context in use.
    pub context_name: String,
    /// The API server's URL.
    pub cluster_url: String,
    /// Who the cluster says we are (SelfSubjectReview), when it says.
    pub user: Option<String>,
    /// The kubeconfig's user name of the context (who we are when the server does not say).
    pub kube_user: Option<String>,
    /// Why the API server did not answer at start, when it did not (the cockpit opens
    /// anyway and retries; headless commands stop).
    pub unreachable: Option<String>,
}

impl Connected {
    /// This connection, or the error of an API server that did not answer at start.
    pub fn reachable(self) -> Result<Connected, ConnectError> {
        match &self.unreachable {
            None => Ok(self),
            Some(why) => Err(ConnectError::Unreachable {
                url: self.cluster_url.clone(),
                context: self.context_name.clone(),
                why: why.clone(),
            }),
        }
    }
}

/// Why connecting to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig could not be read or is invalid.
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] KubeconfigError),
    /// Neither `--context` nor `current-context` names a context.
    #[error("kubeconfig has no current-context; pass --context NAME")]
    NoContext,
    /// The client could not be built from the configuration.
    #[error("building the Kubernetes client: {0}")]
    Client(#[source] kube::Error),
    /// The kubeconfig has no context of that name.
    #[error("kubeconfig has no context {name:?} (contexts: {known})")]
    UnknownContext {
        /// The name asked for.
        name: String,
        /// The contexts there are, comma-separated.
        known: String,
    },
    /// The API server did not answer an authenticated request.
    #[error("cannot reach the API server {url} (context {context}): {why}")]
    Unreachable {
        /// API server URL.
        url: String,
        /// Context name.
        context: String,
        /// What went wrong, in words.
        why: String,
    },
}

/// Connects like kubectl: `kubeconfig` (else `$KUBECONFIG`, else `~/.kube/config`), the given
/// context (else `current-context`). Authenticates at once (`GET /version`) so exec
/// credential plugins run now, before the terminal UI starts.
pub async fn connect(
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
) -> Result<Connected, ConnectError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kc = match &kubeconfig {
        Some(path) => Kubeconfig::read_from(path)?,
        None => Kubeconfig::read()?,
    };
    let context_name = context
        .or_else(|| kc.current_context.clone())
        .ok_or(ConnectError::NoContext)?;
    let Some(named) = kc.contexts.iter().find(|c| c.name == context_name) else {
        let known: Vec<String> = kc.contexts.iter().map(|c| clean(&c.name)).collect();
        return Err(ConnectError::UnknownContext {
            name: clean(&context_name),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        });
    };
    let kube_user = named
        .context
        .as_ref()
        .and_then(|c| c.user.clone())
        .map(|u| clean(&u));
    let options = KubeConfigOptions {
        context: Some(context_name.clone()),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kc, &options).await?;
    // kube-rs retries 429/503/504 up to 15 times with growing backoff (over a minute). A
    // 503 proxied from a pod is the app's answer, not the API server's (a failing
    // readiness check must read "503", not time out), and actions retry themselves,
    // saying what they wait for.
    config.default_retry = false;
    let cluster_url = config.cluster_url.to_string();
    let client = client::build(&config, client::Protocol::Http2).map_err(ConnectError::Client)?;
    let unreachable = client
        .apiserver_version()
        .await
        .err()
        .map(|e| clean(&errors::explain(&e)));
    let user = match unreachable {
        None => whoami(&client).await,
        Some(_) => None,
    };
    Ok(Connected {
        client,
        context_name,
        cluster_url,
        user,
        kube_user,
        unreachable,
    })
}

/// The user name the API server sees (authentication.k8s.io/v1 SelfSubjectReview). Best
/// effort: older servers and restricted users simply get no name in the header.
async fn whoami(client: &kube::Client) -> Option<String> {
    use k8s_openapi::api::authentication::v1::SelfSubjectReview;
    let body = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "SelfSubjectReview",
    });
    let req = hyper::Request::post("/apis/authentication.k8s.io/v1/selfsubjectreviews")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).ok()?)
        .ok()?;
    let review: SelfSubjectReview = client.request(req).await.ok()?;
    let name = review.status?.user_info?.username?;
    Some(clean(&name))
}

/// Cleans one cluster-sourced string for display, on one line (see `crate::sanitize`).
pub(crate) fn clean(text: &str) -> String {
    crate::sanitize::sanitize_oneline(text, MAX_FIELD_CHARS)
}

/// Cleans one log line, keeping at most `max_width` display columns.
pub(crate) fn clean_max(text: &str, max_width: usize) -> String {
    crate::sanitize::sanitize_line(text, max_width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_escapes_and_cuts() {
        assert_eq!(clean("a\x1b[31mb\u{202E}c\nd"), "abc ⏎ d");
        assert_eq!(clean_max("abcdef", 3), "ab…");
    }

    #[tokio::test]
    async fn connect_reports_a_missing_kubeconfig() {
        let err = connect(Some("/nonexistent/kubeconfig".into()), None)
            .await
            .err()
            .expect("must fail");
        assert!(err.to_string().contains("kubeconfig"), "{err}");
    }
}
