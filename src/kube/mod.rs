//! Kubernetes adapters: client, router objects, conversions to model values.

pub mod convert;
pub mod router;

use std::path::PathBuf;

use ::kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

/// Longest cluster-sourced string kept (names, reasons, messages), in characters.
pub(crate) const MAX_FIELD_CHARS: usize = 512;

/// A client that has already authenticated against the chosen context.
#[derive(Clone)]
pub struct Connected {
    /// The client, ready to use.
    pub client: ::kube::Client,
    /// Name of the kubeconfig context in use.
    pub context_name: String,
    /// The API server's URL.
    pub cluster_url: String,
    /// The context's default namespace.
    pub namespace: String,
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
    Client(#[source] ::kube::Error),
    /// The API server did not answer an authenticated request.
    #[error("cannot reach {url} (context {context}): {source}")]
    Unreachable {
        /// API server URL.
        url: String,
        /// Context name.
        context: String,
        /// What went wrong.
        #[source]
        source: ::kube::Error,
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
    let options = KubeConfigOptions {
        context: Some(context_name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = ::kube::Config::from_custom_kubeconfig(kc, &options).await?;
    let cluster_url = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    let client = ::kube::Client::try_from(config).map_err(ConnectError::Client)?;
    client
        .apiserver_version()
        .await
        .map_err(|source| ConnectError::Unreachable {
            url: cluster_url.clone(),
            context: context_name.clone(),
            source,
        })?;
    Ok(Connected {
        client,
        context_name,
        cluster_url,
        namespace,
    })
}

/// Cleans one cluster-sourced string for display (see `crate::sanitize`).
pub(crate) fn clean(text: &str) -> String {
    clean_max(text, MAX_FIELD_CHARS)
}

/// Cleans one string, keeping at most `max_chars` characters.
pub(crate) fn clean_max(text: &str, max_chars: usize) -> String {
    // Minimal stand-in until `crate::sanitize::sanitize_line` exists: drop control,
    // bidi and zero-width characters, expand tabs, cut with a marker.
    let mut out = String::with_capacity(text.len().min(max_chars));
    let mut count = 0;
    for c in text.chars() {
        let piece: &str = match c {
            '\t' => "    ",
            c if c.is_control() => continue,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => continue,
            '\u{FEFF}' => continue,
            _ => {
                if count >= max_chars {
                    out.push('…');
                    return out;
                }
                out.push(c);
                count += 1;
                continue;
            }
        };
        out.push_str(piece);
        count += piece.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_escapes_and_cuts() {
        assert_eq!(clean("a\x1b[31mb\u{202E}c\td"), "a[31mbc    d");
        assert_eq!(clean_max("abcdef", 3), "abc…");
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
