//! Errors in plain words. kube, hyper, rustls and reqwest errors display as type-prefixed
//! chains (`ServiceError: client error (Connect)`) that hide what actually failed; every
//! feed, probe and check says it through [`explain`] instead: "connection refused",
//! "TLS certificate not trusted (unknown issuer)", "service fittrack-blue not found".

use std::error::Error;
use std::io;

use kube::core::Status;

use super::clean;

/// What went wrong, in a few plain words, from anywhere in the error's source chain.
pub fn explain(err: &(dyn Error + 'static)) -> String {
    let mut chain: Vec<&(dyn Error + 'static)> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        chain.push(e);
        next = e.source();
    }
    // The most specific cause wins: a TLS verdict, then a socket error, then what the API
    // server said, then timeouts; else the innermost message without type prefixes.
    let found = chain
        .iter()
        .find_map(|e| tls(*e))
        .or_else(|| chain.iter().find_map(|e| socket(*e)))
        .or_else(|| chain.iter().find_map(|e| api_status(*e).map(status)))
        .or_else(|| chain.iter().find_map(|e| watch_status(*e)))
        .or_else(|| chain.iter().find_map(|e| hyper_kind(*e)));
    clean(&found.unwrap_or_else(|| innermost(&chain)))
}

/// An API server `Status` in words: "service fittrack-blue not found", "forbidden: ...".
pub fn status(s: &Status) -> String {
    match s.code {
        404 => not_found(&s.message).unwrap_or_else(|| format!("not found: {}", s.message)),
        401 => "unauthorized: the API server rejected the credentials (expired token?)".into(),
        403 => format!("forbidden: {}", s.message),
        410 => "the watch expired; listing again".into(),
        code => {
            let reason = if s.reason.is_empty() {
                String::new()
            } else {
                format!(" {}", s.reason)
            };
            format!("the API server answered {code}{reason}: {}", s.message)
        }
    }
}

/// `services "fittrack-blue" not found` → `service fittrack-blue not found`.
fn not_found(message: &str) -> Option<String> {
    let (plural, rest) = message.split_once(" \"")?;
    let (name, tail) = rest.split_once('"')?;
    if tail.trim() != "not found" {
        return None;
    }
    let kind = match plural {
        "ingresses" => "ingress",
        "httproutes.gateway.networking.k8s.io" | "httproutes" => "HTTPRoute",
        other => other
            .split('.')
            .next()
            .unwrap_or(other)
            .strip_suffix('s')
            .unwrap_or(other),
    };
    Some(format!("{kind} {name} not found"))
}

/// A `Status` the API server answered with, however it is wrapped.
fn api_status<'a>(e: &'a (dyn Error + 'static)) -> Option<&'a Status> {
    match e.downcast_ref::<kube::Error>() {
        Some(kube::Error::Api(s)) => Some(s),
        _ => e
            .downcast_ref::<Status>()
            .or_else(|| e.downcast_ref::<Box<Status>>().map(|b| &**b)),
    }
}

fn watch_status(e: &(dyn Error + 'static)) -> Option<String> {
    match e.downcast_ref::<kube::runtime::watcher::Error>()? {
        kube::runtime::watcher::Error::WatchError(s) => Some(status(s)),
        kube::runtime::watcher::Error::NoResourceVersion => {
            Some("the API server gave no resourceVersion (cannot watch)".into())
        }
        _ => None,
    }
}

fn tls(e: &(dyn Error + 'static)) -> Option<String> {
    let rustls_error = e.downcast_ref::<rustls::Error>().or_else(|| {
        e.downcast_ref::<io::Error>()?
            .get_ref()?
            .downcast_ref::<rustls::Error>()
    })?;
    use rustls::CertificateError as C;
    Some(match rustls_error {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => "TLS certificate not trusted (unknown issuer: has the \
                                 server a new CA? check the kubeconfig's certificate-authority)"
                .into(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "TLS certificate is for another host name".into()
            }
            C::Expired | C::ExpiredContext { .. } => "TLS certificate expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "TLS certificate not valid yet (clock skew?)".into()
            }
            C::Revoked => "TLS certificate revoked".into(),
            other => format!("TLS certificate rejected ({other:?})"),
        },
        other => format!("TLS handshake failed: {other}"),
    })
}

fn socket(e: &(dyn Error + 'static)) -> Option<String> {
    let io = e.downcast_ref::<io::Error>()?;
    let text = io.to_string();
    Some(match io.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::TimedOut => "connection timed out".into(),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "host unreachable".into()
        }
        io::ErrorKind::UnexpectedEof => "connection closed by the other end".into(),
        _ if text.contains("failed to lookup address") || text.contains("Name or service") => {
            "cannot resolve the host name".into()
        }
        _ if io.get_ref().is_some() => return None,
        _ => strip_os_error(&text),
    })
}

fn hyper_kind(e: &(dyn Error + 'static)) -> Option<String> {
    let h = e.downcast_ref::<hyper::Error>()?;
    Some(if h.is_timeout() {
        "timed out".into()
    } else if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
        "connection closed before an answer".into()
    } else {
        return None;
    })
}

/// The innermost message, without the "(os error 111)" and "XError: " decorations.
fn innermost(chain: &[&(dyn Error + 'static)]) -> String {
    let last = chain.last().map(|e| e.to_string()).unwrap_or_default();
    if last.contains("deadline has elapsed") || last.contains("operation timed out") {
        return "timed out".into();
    }
    let text = strip_os_error(&last);
    match text.split_once(": ") {
        Some((prefix, rest)) if prefix.ends_with("Error") && !prefix.contains(' ') => {
            rest.to_string()
        }
        _ => text,
    }
}

fn strip_os_error(text: &str) -> String {
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(code: u16, reason: &str, message: &str) -> Status {
        Status {
            code,
            reason: reason.into(),
            message: message.into(),
            ..Status::default()
        }
    }

    #[test]
    fn api_statuses_read_as_what_is_missing_or_refused() {
        let api = |s: Status| explain(&kube::Error::Api(Box::new(s)));
        assert_eq!(
            api(status_of(
                404,
                "NotFound",
                "services \"fittrack-blue\" not found"
            )),
            "service fittrack-blue not found"
        );
        assert_eq!(
            api(status_of(
                404,
                "NotFound",
                "namespaces \"fittrack-blue\" not found"
            )),
            "namespace fittrack-blue not found"
        );
        assert!(api(status_of(403, "Forbidden", "pods is forbidden")).starts_with("forbidden"));
        let watch = kube::runtime::watcher::Error::WatchError(Box::new(status_of(
            500,
            "InternalError",
            "etcd down",
        )));
        assert_eq!(
            explain(&watch),
            "the API server answered 500 InternalError: etcd down"
        );
    }

    #[test]
    fn tls_and_socket_errors_are_named() {
        let tls_err = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(explain(&tls_err).starts_with("TLS certificate not trusted (unknown issuer"));
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(explain(&reset), "connection reset");
        let odd = io::Error::other("Weird thing happened (os error 99)");
        assert_eq!(explain(&odd), "Weird thing happened");
    }
}
