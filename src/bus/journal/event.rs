//! The Event that publishes an outcome: `events.k8s.io/v1`, in the router's namespace,
//! regarding the router object. Created directly, one per outcome: kube-runtime's Recorder
//! merges repeats into a series and keeps the first note, which would lose every later
//! switch's details.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};

use super::{within, WriteError};
use crate::app::action::journal::{Entry, EntryKind};
use crate::bus::Ctx;
use crate::cluster::router;
use crate::config::schema::RouterConfig;

/// The controller every cutover Event names.
pub const REPORTING_CONTROLLER: &str = "cutover.dev/cutover";
/// Most bytes an Event's note may hold (the API server refuses longer notes).
pub const NOTE_MAX: usize = 1024;
/// Most characters of reportingInstance, action and reason.
const FIELD_MAX: usize = 128;
/// Most characters of an object name (a DNS subdomain).
const NAME_MAX: usize = 253;

/// Create the Event for `entry`. A name already taken (another cutover whose entry id
/// sanitizes the same) is retried once under a suffixed name; the Event is never merged.
pub(super) async fn create(ctx: &Ctx, entry: &Entry) -> Result<(), WriteError> {
    let router = &ctx.config.router;
    let api: Api<Event> = Api::namespaced(ctx.client.clone(), &router.namespace);
    let mut event = event(router, entry, &reporting_instance(&entry.who));
    match within(api.create(&PostParams::default(), &event)).await {
        Err(e) if e.reason() == Some("AlreadyExists") => {
            let nanos = chrono::Utc::now().timestamp_subsec_nanos();
            event.metadata.name = Some(event_name(&format!("{}-{nanos:x}", entry.id)));
            within(api.create(&PostParams::default(), &event))
                .await
                .map(drop)
        }
        other => other.map(drop),
    }
}

/// The Event publishing `entry`, reported by `instance`.
pub fn event(router: &RouterConfig, entry: &Entry, instance: &str) -> Event {
    let ar = router::api_resource(router.kind);
    Event {
        metadata: ObjectMeta {
            name: Some(event_name(&entry.id)),
            namespace: Some(router.namespace.clone()),
            ..ObjectMeta::default()
        },
        event_time: Some(MicroTime(micros(entry.at))),
        action: Some(action(entry.kind).into()),
        reason: Some(entry.event_reason().into()),
        type_: Some(
            if entry.is_warning() {
                "Warning"
            } else {
                "Normal"
            }
            .into(),
        ),
        note: Some(note(entry)),
        regarding: Some(ObjectReference {
            api_version: Some(ar.api_version),
            kind: Some(ar.kind),
            name: Some(router.name.clone()),
            namespace: Some(router.namespace.clone()),
            ..ObjectReference::default()
        }),
        reporting_controller: Some(REPORTING_CONTROLLER.into()),
        reporting_instance: Some(instance.chars().take(FIELD_MAX).collect()),
        ..Event::default()
    }
}

/// `cutover.<entry id>` as a DNS subdomain: lowercase letters, digits and single dashes.
pub fn event_name(id: &str) -> String {
    const PREFIX: &str = "cutover.";
    let mut label = String::new();
    for c in id.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_alphanumeric() {
            label.push(c);
        } else if !label.is_empty() && !label.ends_with('-') {
            label.push('-');
        }
    }
    label.truncate(NAME_MAX - PREFIX.len());
    let label = label.trim_end_matches('-');
    format!("{PREFIX}{}", if label.is_empty() { "entry" } else { label })
}

/// What was done, machine-readable.
fn action(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Switch => "Switch",
        EntryKind::Rollback => "Rollback",
        EntryKind::Smoke => "Smoke",
        EntryKind::Deploy => "Deploy",
        EntryKind::Decommission => "Decommission",
        EntryKind::ScaleUp => "ScaleUp",
        EntryKind::ChecklistTick => "ChecklistTick",
        EntryKind::ChecklistRun => "ChecklistRun",
        EntryKind::RouterChange => "RouterChange",
    }
}

/// The summary, cut to the 1 KB the API allows (ending in `…` when cut).
fn note(entry: &Entry) -> String {
    cut_bytes(&entry.summary, NOTE_MAX)
}

/// `text` in at most `max` bytes of UTF-8, cut on a character boundary and marked `…`.
fn cut_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let marker = crate::sanitize::CUT_MARKER;
    let mut end = max - marker.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &text[..end])
}

/// `cutover@<host>`, else `cutover@<who>` when the host has no name.
fn reporting_instance(who: &str) -> String {
    format!("cutover@{}", hostname().unwrap_or_else(|| who.to_string()))
}

/// This machine's host name.
fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// A chrono time as the Event's microsecond timestamp.
fn micros(at: chrono::DateTime<chrono::Utc>) -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::from_microsecond(at.timestamp_micros())
        .unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::demo_config;

    fn entry(kind: &str, result: &str, summary: &str) -> Entry {
        serde_json::from_value(serde_json::json!({
            "id": "20260102T030405.678Z-alice-3",
            "at": "2026-01-02T03:04:05.678901Z",
            "who": "alice",
            "kind": kind,
            "stage": "outcome",
            "result": result,
            "summary": summary,
        }))
        .unwrap()
    }

    #[test]
    fn names_are_dns_subdomains() {
        assert_eq!(
            event_name("20260102T030405.678Z-alice-3"),
            "cutover.20260102t030405-678z-alice-3"
        );
        assert_eq!(event_name("--A__b..C--"), "cutover.a-b-c");
        assert_eq!(event_name("!!!"), "cutover.entry");
        let long = event_name(&"x".repeat(400));
        assert_eq!(long.len(), NAME_MAX);
    }

    #[test]
    fn notes_are_cut_at_one_kilobyte_on_a_character_boundary() {
        assert_eq!(cut_bytes("short", NOTE_MAX), "short");
        let long = "é".repeat(700); // 1400 bytes
        let cut = cut_bytes(&long, NOTE_MAX);
        assert!(cut.len() <= NOTE_MAX, "{}", cut.len());
        assert!(cut.ends_with('…'));
        assert!(cut.len() > NOTE_MAX - 4);
    }

    #[test]
    fn event_carries_reason_type_regarding_and_microseconds() {
        let config = demo_config("fittrack", None);
        let e = entry("switch", "succeeded", "switched BLUE → GREEN");
        let ev = event(&config.router, &e, "cutover@host");
        assert_eq!(ev.reason.as_deref(), Some("TrafficSwitched"));
        assert_eq!(ev.type_.as_deref(), Some("Normal"));
        assert_eq!(ev.action.as_deref(), Some("Switch"));
        assert_eq!(ev.note.as_deref(), Some("switched BLUE → GREEN"));
        assert_eq!(
            ev.reporting_controller.as_deref(),
            Some(REPORTING_CONTROLLER)
        );
        let r = ev.regarding.unwrap();
        assert_eq!(r.kind.as_deref(), Some("HTTPRoute"));
        assert_eq!(
            r.api_version.as_deref(),
            Some("gateway.networking.k8s.io/v1")
        );
        assert_eq!(r.name.as_deref(), Some("fittrack"));
        assert_eq!(r.namespace.as_deref(), Some("fittrack"));
        let json = serde_json::to_value(event(&config.router, &e, "x")).unwrap();
        assert_eq!(json["eventTime"], "2026-01-02T03:04:05.678901Z");
        let refused = entry("rollback", "refused", "rollback refused");
        let ev = event(&config.router, &refused, &"i".repeat(300));
        assert_eq!(ev.reason.as_deref(), Some("SwitchRefused"));
        assert_eq!(ev.type_.as_deref(), Some("Warning"));
        assert_eq!(ev.action.as_deref(), Some("Rollback"));
        assert_eq!(ev.reporting_instance.unwrap().len(), FIELD_MAX);
    }

    #[test]
    fn instance_names_the_host() {
        let i = reporting_instance("alice");
        assert!(
            i.starts_with("cutover@") && i.len() > "cutover@".len(),
            "{i}"
        );
    }
}
