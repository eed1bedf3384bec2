//! `[deploy]`, `[[checklist]]`, `[migrations]`, `[decommission]` and
//! `[release] monitor_minutes`: values the release's other steps could not use.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::release::{is_env_name, seconds};
use super::Checker;
use crate::config::labels::check_dns_label;
use crate::config::schema::{
    ChecklistItem, Config, DecommissionConfig, DeployConfig, DeployMode, ItemKind, MigrationsConfig,
};

/// Placeholders a deploy command may use.
pub const DEPLOY_PLACEHOLDERS: [&str; 3] = ["{version}", "{color}", "{namespace}"];
/// Placeholders a decommission command may use.
pub const DECOMMISSION_PLACEHOLDERS: [&str; 2] = ["{color}", "{namespace}"];

/// Every lifecycle section of `config`.
pub(super) fn lifecycle(c: &mut Checker, config: &Config) {
    let minutes = config.release.monitor_minutes;
    if !(minutes.is_finite() && (0.0..=1440.0).contains(&minutes)) {
        c.add(
            "release.monitor_minutes",
            format!("{minutes} is not a number of minutes from 0 to 1440 (a day)"),
        );
    }
    if let Some(d) = &config.deploy {
        deploy(c, config, d);
    }
    checklist(c, config);
    if let Some(m) = &config.migrations {
        migrations(c, m);
    }
    decommission(c, &config.decommission);
}

fn deploy(c: &mut Checker, config: &Config, d: &DeployConfig) {
    seconds(c, "deploy.timeout_secs", d.timeout_secs);
    seconds(c, "deploy.rollout_timeout_secs", d.rollout_timeout_secs);
    match d.mode {
        DeployMode::Image => {
            for (name, color) in config.colors.both().map(|(c, cfg)| (c.name(), cfg)) {
                if color.deployment.is_none() {
                    c.add(
                        "deploy.mode",
                        format!(
                            "image mode patches each color's Deployment, but colors.{name} has no \
                             `deployment`; set it, or use mode = \"command\""
                        ),
                    );
                }
            }
            if !d.command.is_empty() {
                c.add(
                    "deploy.command",
                    "`command` runs only in command mode; remove it or set mode = \"command\"",
                );
            }
            if let Some(image) = &d.image {
                c.result("deploy.image", check_repository(image));
            }
            if let Some(name) = &d.container {
                c.result("deploy.container", check_dns_label(name));
            }
        }
        DeployMode::Command => {
            if d.command.is_empty() {
                c.add(
                    "deploy.command",
                    "command mode needs `command`, e.g. [\"helm\", \"upgrade\", \"--install\", \
                     \"fittrack-{color}\", \"deploy/helm/fittrack\", \"--namespace\", \
                     \"fittrack-{color}\", \"--set\", \"image.tag={version}\", \"--wait\"]",
                );
            }
            for key in ["image", "container"] {
                let set = if key == "image" {
                    d.image.is_some()
                } else {
                    d.container.is_some()
                };
                if set {
                    c.add(
                        &format!("deploy.{key}"),
                        format!("`{key}` applies only to image mode; remove it"),
                    );
                }
            }
        }
    }
    command(c, "deploy", &d.command, &DEPLOY_PLACEHOLDERS);
    env_and_workdir(c, "deploy", &d.env, &d.workdir);
}

fn checklist(c: &mut Checker, config: &Config) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, item) in config.checklist.iter().enumerate() {
        let at = format!("checklist[{i}]");
        checklist_item(c, &at, item);
        if item.kind == ItemKind::MigrationsApplied && config.migrations.is_none() {
            c.add(
                &format!("{at}.kind"),
                "`migrations-applied` runs `[migrations] check`, but there is no [migrations] \
                 section; add one with `check` and `expect`",
            );
        }
        let label = item.label();
        if label.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(label.clone(), i) {
            c.add(
                &format!("{at}.name"),
                format!(
                    "checklist[{first}] has the same name `{label}`; names must differ (ticks are \
                     recorded by name)"
                ),
            );
        }
    }
}

fn checklist_item(c: &mut Checker, at: &str, item: &ChecklistItem) {
    let key = |field: &str| format!("{at}.{field}");
    match (&item.name, item.kind.default_name()) {
        (None, None) => c.add(
            &key("kind"),
            format!(
                "a {} item needs a `name` (what it checks, as shown and journaled)",
                item.kind.word()
            ),
        ),
        (Some(name), _) if name.trim().is_empty() || name.chars().any(char::is_control) => {
            c.add(&key("name"), "the name is empty or has control characters")
        }
        (Some(name), _) if name.chars().count() > 120 => {
            c.add(&key("name"), "longer than 120 characters")
        }
        _ => {}
    }
    match item.kind {
        ItemKind::Command if item.command.is_empty() => c.add(
            &key("kind"),
            "a command item needs `command`, e.g. [\"alembic\", \"current\"]",
        ),
        ItemKind::Command => command(c, at, &item.command, &[]),
        _ if !item.command.is_empty() => c.add(
            &key("command"),
            format!(
                "only command items run a command; a {} item does not",
                item.kind.word()
            ),
        ),
        _ => {}
    }
    if let Some(secs) = item.timeout_secs {
        if item.kind != ItemKind::Command {
            c.add(&key("timeout_secs"), "only command items have a timeout");
        } else {
            seconds(c, &key("timeout_secs"), secs);
        }
    }
}

fn migrations(c: &mut Checker, m: &MigrationsConfig) {
    if m.check.is_empty() {
        c.add(
            "migrations.check",
            "give the command that prints the applied migration, e.g. [\"alembic\", \"current\"]",
        );
    }
    command(c, "migrations", &m.check, &[]);
    if m.expect.trim().is_empty() {
        c.add(
            "migrations.expect",
            "empty text is in every output; give what the check must print (e.g. the alembic \
             head the new version needs)",
        );
    }
    env_and_workdir(c, "migrations", &m.env, &m.workdir);
    seconds(c, "migrations.timeout_secs", m.timeout_secs);
}

fn decommission(c: &mut Checker, d: &DecommissionConfig) {
    command(c, "decommission", &d.command, &DECOMMISSION_PLACEHOLDERS);
    env_and_workdir(c, "decommission", &d.env, &d.workdir);
    seconds(c, "decommission.timeout_secs", d.timeout_secs);
}

/// A command's program is given, and it uses only the placeholders it may.
fn command(c: &mut Checker, at: &str, argv: &[String], allowed: &[&str]) {
    let key = if at == "migrations" {
        format!("{at}.check")
    } else {
        format!("{at}.command")
    };
    if argv.first().is_some_and(|p| p.trim().is_empty()) {
        c.add(&key, "the program (the first element) is empty");
    }
    for arg in argv {
        if let Some(bad) = unknown_placeholder(arg, allowed) {
            let known = if allowed.is_empty() {
                "this command takes none".to_string()
            } else {
                format!("known: {}", allowed.join(", "))
            };
            c.add(
                &key,
                format!("unknown placeholder `{bad}` in `{arg}` ({known})"),
            );
        }
        if arg.contains('\0') {
            c.add(&key, "an argument contains a NUL character");
        }
    }
}

/// The first `{word}` in `arg` that is not one of `allowed`.
pub fn unknown_placeholder(arg: &str, allowed: &[&str]) -> Option<String> {
    let mut rest = arg;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let word = &after[..=close];
        let inner = &word[1..word.len() - 1];
        if !inner.is_empty()
            && inner
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            && !allowed.contains(&word)
        {
            return Some(word.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

fn env_and_workdir(
    c: &mut Checker,
    at: &str,
    env: &BTreeMap<String, String>,
    workdir: &Option<PathBuf>,
) {
    for (key, value) in env {
        let path = format!("{at}.env.{key}");
        if !is_env_name(key) {
            c.add(
                &path,
                format!("`{key}` is not a valid environment variable name (letters, digits, _; not starting with a digit)"),
            );
        } else if value.contains('\0') {
            c.add(&path, "the value contains a NUL character");
        }
    }
    if workdir.as_ref().is_some_and(|w| w.as_os_str().is_empty()) {
        c.add(
            &format!("{at}.workdir"),
            "empty; remove it to run where cutover runs",
        );
    }
}

/// An image repository without a tag or digest: "oci.example.com/fittrack/api".
fn check_repository(image: &str) -> Result<(), String> {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.trim().is_empty() {
        return Err("empty; remove it to keep the container's current repository".into());
    }
    if image.contains('@') || last.contains(':') {
        return Err(format!(
            "`{image}` has a tag or digest; give the repository only (cutover adds :VERSION)"
        ));
    }
    if image
        .chars()
        .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(format!("`{image}` is not an image repository"));
    }
    Ok(())
}
