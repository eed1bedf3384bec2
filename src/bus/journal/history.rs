//! Appending an outcome to the shared history ConfigMap: read, add the line, replace with
//! the resourceVersion read (the server refuses with 409 when someone wrote in between:
//! read again and retry, a bounded number of times); create the ConfigMap when absent.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, PostParams};

use super::{within, WriteError, HISTORY, HISTORY_KEY, HISTORY_MAX};
use crate::app::action::journal::Entry;
use crate::bus::Ctx;

/// Read–modify–write rounds before giving up on a history that keeps changing.
pub const TRIES: u32 = 8;

/// Append `entry` to the shared history in the router's namespace.
pub(super) async fn append(ctx: &Ctx, entry: &Entry) -> Result<(), WriteError> {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &ctx.config.router.namespace);
    let line = serde_json::to_string(entry).map_err(|e| WriteError::Encode(e.to_string()))?;
    let mut last = None;
    for round in 0..TRIES {
        if round > 0 {
            tokio::time::sleep(pause(round)).await;
        }
        let written = match within(api.get_opt(HISTORY)).await? {
            None => {
                let cm = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(HISTORY.into()),
                        labels: Some(BTreeMap::from([(
                            "app.kubernetes.io/managed-by".to_string(),
                            "cutover".to_string(),
                        )])),
                        ..ObjectMeta::default()
                    },
                    data: Some(BTreeMap::from([(HISTORY_KEY.into(), merged(None, &line))])),
                    ..ConfigMap::default()
                };
                within(api.create(&PostParams::default(), &cm)).await
            }
            Some(mut cm) => {
                // The read resourceVersion stays in the metadata: the replace is conditional.
                let data = cm.data.get_or_insert_default();
                let text = merged(data.get(HISTORY_KEY).map(String::as_str), &line);
                data.insert(HISTORY_KEY.into(), text);
                within(api.replace(HISTORY, &PostParams::default(), &cm)).await
            }
        };
        match written {
            Ok(_) => return Ok(()),
            // Conflict: someone wrote since our read. AlreadyExists: someone created it
            // since we found it absent. Either way, read again.
            Err(e) if matches!(e.reason(), Some("Conflict" | "AlreadyExists")) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(WriteError::GaveUp {
        tries: TRIES,
        last: last.map(|e| e.to_string()).unwrap_or_default(),
    })
}

/// A short pause before another round, spread so two racing writers fall out of step.
fn pause(round: u32) -> Duration {
    let spread = u64::from(chrono::Utc::now().timestamp_subsec_nanos() % 20);
    Duration::from_millis(10 * u64::from(round) + spread)
}

/// The history text with `line` appended: one entry per line in the order written, the
/// line of the same id replaced (an entry is in the history once), lines that are not
/// entries dropped, the last [`HISTORY_MAX`] kept. Other lines are kept byte for byte, so
/// fields a newer cutover wrote survive an older one's write.
pub fn merged(text: Option<&str>, line: &str) -> String {
    let id = entry_id(line);
    let mut lines: Vec<&str> = text
        .unwrap_or_default()
        .lines()
        .filter(|l| entry_id(l).is_some_and(|other| Some(&other) != id.as_ref()))
        .collect();
    lines.push(line);
    let skip = lines.len().saturating_sub(HISTORY_MAX);
    let mut out = lines[skip..].join("\n");
    out.push('\n');
    out
}

/// The id of a history line, when it is an entry.
fn entry_id(line: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    serde_json::from_str::<Id>(line).ok().map(|i| i.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str) -> String {
        format!(r#"{{"id":"{id}","future_field":1}}"#)
    }

    #[test]
    fn appends_in_order_and_keeps_unknown_fields() {
        let one = merged(None, &line("a"));
        assert_eq!(one, format!("{}\n", line("a")));
        let two = merged(Some(&one), &line("b"));
        assert_eq!(two, format!("{}\n{}\n", line("a"), line("b")));
    }

    #[test]
    fn keeps_the_last_hundred() {
        let mut text = String::new();
        for i in 0..(HISTORY_MAX + 5) {
            text = merged(Some(&text), &line(&i.to_string()));
        }
        let ids: Vec<_> = text.lines().filter_map(entry_id).collect();
        assert_eq!(ids.len(), HISTORY_MAX);
        assert_eq!(ids[0], "5");
        assert_eq!(ids[HISTORY_MAX - 1], (HISTORY_MAX + 4).to_string());
    }

    #[test]
    fn same_id_is_replaced_and_garbage_dropped() {
        let text = format!(
            "{}\nnot json\n{{\"no\":\"id\"}}\n{}\n",
            line("a"),
            line("b")
        );
        let out = merged(Some(&text), r#"{"id":"a","second":true}"#);
        assert_eq!(
            out,
            format!("{}\n{}\n", line("b"), r#"{"id":"a","second":true}"#)
        );
    }
}
