//! The cockpit's whole state: one plain struct owned by the event loop, changed only
//! by `update`, read by `view`. Time is a value here (`now`); nothing reads a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use regex::Regex;

use super::access::{Access, Need};
use super::action::standing::Standing;
use super::action::tracker::Actions;
use super::logbuf::LogBuffer;
use super::logview::LogView;
use super::peers::Peers;
use super::signals::Signals;
use super::timeline::Timeline;
use crate::config::schema::{Clock, Config, Lifecycle, ReleaseConfig, SmokeConfig, Theme};
use crate::keymap::{KeyMode, Keymap};
use crate::model::{Color, Feed, FeedStatus, LbObservation, RouterReading, RouterTarget};

mod colors;
mod dirty;
mod screens;
mod zone;

pub use colors::{ColorState, FeedState, Probes};
pub use dirty::Dirty;
pub use screens::{Focus, Modal, Prompt, Screen, Viewport};
pub use zone::Zone;

/// Most timeline items kept.
pub const TIMELINE_MAX: usize = 500;

/// How long a footer message stays, in seconds.
pub const FLASH_SECS: i64 = 4;

/// Seconds after which the load balancer's answer is shown with its age.
const LB_STALE_SECS: i64 = 10;

/// Where the cockpit is connected.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// kubeconfig context name.
    pub context_name: String,
    /// API server URL.
    pub cluster_url: String,
    /// No traffic/workload commands.
    pub read_only: bool,
    /// The operator, as the API server names them (SelfSubjectReview), when it says.
    pub user: Option<String>,
    /// The kubeconfig's user of the context (who we are when the server does not say).
    pub kube_user: Option<String>,
}

/// The cockpit state.
#[derive(Debug, Clone)]
pub struct State {
    /// Connection context.
    pub session: Session,
    /// Router object as configured: "httproute fittrack/fittrack".
    pub router_label: String,
    /// The current time (advanced by ticks).
    pub now: DateTime<Utc>,
    /// Zone for shown times.
    pub zone: Zone,
    /// Theme; `Mono` when `no_color` is set.
    pub theme: Theme,
    /// `NO_COLOR` was set (set by the caller).
    pub no_color: bool,
    /// Blue then green.
    pub colors: [ColorState; 2],
    /// The router as last read; `since` is set by `update` when the target changes.
    pub router: Option<RouterReading>,
    /// When cutover first read the current target, if it has not changed since (its real
    /// start is unknown then).
    pub router_first_seen: Option<DateTime<Utc>>,
    /// What the load balancer serves.
    pub lb: Option<LbObservation>,
    /// Whether an LB is configured.
    pub lb_configured: bool,
    /// Feed health.
    pub feeds: BTreeMap<Feed, FeedState>,
    /// Events and notices.
    pub timeline: Timeline,
    /// Timeline scroll (rows up from the newest).
    pub timeline_scroll: usize,
    /// Focused pane.
    pub focus: Focus,
    /// Open modal.
    pub modal: Option<Modal>,
    /// Full-screen view.
    pub screen: Screen,
    /// Text being typed into the filter, while typing.
    pub filter_input: Option<String>,
    /// Why the typed filter is invalid.
    pub filter_error: Option<String>,
    /// The applied log filter.
    pub filter: Option<Regex>,
    /// Wrap log lines.
    pub wrap: bool,
    /// Show log timestamps.
    pub timestamps: bool,
    /// Key bindings.
    pub keymap: Keymap,
    /// A short message in the footer, until the given time.
    pub flash: Option<(String, DateTime<Utc>)>,
    /// Release actions: running, smoke results, shared history.
    pub actions: Actions,
    /// Gates, confirmation and verification of traffic actions.
    pub release: ReleaseConfig,
    /// What a smoke test runs.
    pub smoke_config: SmokeConfig,
    /// How deploy, checklist, migrations and decommission run.
    pub lifecycle_config: Lifecycle,
    /// Where the release stands (stepper, checklist, monitoring window): recomputed by
    /// `update` after every message.
    pub standing: Standing,
    /// Versions typed into the deploy prompt in this session, newest first.
    pub versions_typed: Vec<String>,
    /// The user moved the focus (then `s` tests the focused color, else the standby).
    pub focus_moved: bool,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Streams allowed per color (for "following N of M").
    pub max_streams: usize,
    /// What the view last drew.
    pub viewport: Viewport,
    /// Which colors have a configured Deployment (its feed must be read before a request).
    pub colors_with_deployment: [bool; 2],
    /// Each color's signals and the analysis of the live one.
    pub signals: Signals,
    /// The color whose selector listed each pod ever seen (`namespace/name`), so Events
    /// about a pod are told by color even in a shared namespace and after it is gone.
    pub seen_pods: BTreeMap<String, Color>,
    /// Log viewing: level filter, raw, search, one pod, zoom.
    pub logview: LogView,
    /// A reconnect (the `K` key) is under way.
    pub reconnecting: bool,
    /// Other cockpits, and which writes were this cockpit's own.
    pub peers: Peers,
    /// What this identity may do.
    pub access: Access,
    dirty: Dirty,
}

impl State {
    /// A fresh state. Bad `[keys]` overrides (CONFIG rejects them at load) fall back to
    /// the default keymap with a warning in the timeline.
    pub fn new(config: &Config, session: Session, now: DateTime<Utc>) -> State {
        let (keymap, key_error) = match Keymap::with_overrides(&config.keys) {
            Ok(k) => (k, None),
            Err(e) => (Keymap::default(), Some(e)),
        };
        let color = |c: Color| {
            let cfg = config.colors.of(c);
            ColorState {
                color: c,
                namespace: cfg.namespace.clone(),
                pods: Vec::new(),
                selected: 0,
                deployment: None,
                endpoints: None,
                probes: Probes::default(),
                logs: LogBuffer::new(config.logs.buffer_lines, config.logs.buffer_bytes),
                streams: None,
                deployment_name: cfg.deployment.clone(),
                namespace_missing: false,
            }
        };
        let signals = Signals::new(config, session.read_only);
        let r = &config.router;
        let kind = serde_json::to_value(r.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut state = State {
            session,
            router_label: format!("{kind} {}/{}", r.namespace, r.name),
            now,
            zone: match config.ui.clock {
                Clock::Utc => Zone::utc(),
                Clock::Local => Zone::local(now),
            },
            theme: config.ui.theme,
            no_color: false,
            colors: [color(Color::Blue), color(Color::Green)],
            router: None,
            router_first_seen: None,
            lb: None,
            lb_configured: r.lb_url.is_some(),
            feeds: BTreeMap::new(),
            timeline: Timeline::new(TIMELINE_MAX),
            timeline_scroll: 0,
            focus: Focus::Color(Color::Blue),
            modal: None,
            screen: Screen::Cockpit,
            filter_input: None,
            filter_error: None,
            filter: None,
            wrap: false,
            timestamps: false,
            keymap,
            flash: None,
            actions: Actions::default(),
            release: config.release.clone(),
            smoke_config: config.smoke.clone(),
            lifecycle_config: config.lifecycle(),
            standing: Standing::default(),
            versions_typed: Vec::new(),
            focus_moved: false,
            size: (80, 24),
            max_streams: config.logs.max_streams,
            viewport: Viewport::default(),
            colors_with_deployment: Color::BOTH.map(|c| config.colors.of(c).deployment.is_some()),
            signals,
            seen_pods: BTreeMap::new(),
            logview: LogView::default(),
            reconnecting: false,
            peers: Peers::default(),
            access: Access::default(),
            dirty: Dirty::OTHER,
        };
        if let Some(e) = key_error {
            state
                .timeline
                .notice(now, format!("{e}; using default keys"), true);
        }
        state
    }

    /// The color whose version is `version`, when exactly one color runs it.
    pub fn color_of_version(&self, version: Option<&str>) -> Option<Color> {
        let version = version?;
        let mut matching = Color::BOTH
            .into_iter()
            .filter(|c| self.color(*c).version().as_deref() == Some(version));
        match (matching.next(), matching.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }

    /// The last load-balancer observation is old enough to say its age.
    pub fn lb_stale(&self) -> bool {
        self.lb
            .as_ref()
            .is_some_and(|o| (self.now - o.at).num_seconds() >= LB_STALE_SECS)
    }

    /// Set `NO_COLOR` (monochrome theme).
    pub fn set_no_color(&mut self, no_color: bool) {
        self.no_color = no_color;
        self.dirty |= Dirty::OTHER;
    }

    /// The theme to draw with (`Mono` under `NO_COLOR`).
    pub fn effective_theme(&self) -> Theme {
        if self.no_color {
            Theme::Mono
        } else {
            self.theme
        }
    }

    /// True when something visible changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        !self.take_changes().is_empty()
    }

    /// What kinds of visible change happened since the last call.
    pub fn take_changes(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    /// Mark that something visible changed.
    pub fn mark_dirty(&mut self) {
        self.dirty |= Dirty::OTHER;
    }

    /// Mark that a log pane on screen has new lines (redrawn at the log rate).
    pub fn mark_logs_dirty(&mut self) {
        self.dirty |= Dirty::LOGS;
    }

    /// One color's state.
    pub fn color(&self, c: Color) -> &ColorState {
        &self.colors[c as usize]
    }

    /// One color's state, mutable.
    pub fn color_mut(&mut self, c: Color) -> &mut ColorState {
        &mut self.colors[c as usize]
    }

    /// Show a short message in the footer for [`FLASH_SECS`].
    pub fn flash(&mut self, text: impl Into<String>) {
        self.flash = Some((
            text.into(),
            self.now + chrono::Duration::seconds(FLASH_SECS),
        ));
        self.dirty |= Dirty::OTHER;
    }

    /// The focused color, if a color pane has the focus.
    pub fn focused_color(&self) -> Option<Color> {
        match self.focus {
            Focus::Color(c) => Some(c),
            Focus::Timeline => None,
        }
    }

    /// Rows a page scroll moves: the log pane's height as last drawn (at least 3).
    pub fn page_rows(&self) -> usize {
        self.viewport.log_rows.max(3)
    }

    /// Why an intent cannot do anything in this session, when it cannot: not built yet, or
    /// a traffic action in a read-only session.
    pub fn unavailable(&self, intent: crate::keymap::Intent) -> Option<String> {
        use crate::keymap::Intent;
        let traffic = matches!(
            intent,
            Intent::Switch | Intent::Rollback | Intent::RollbackChord
        );
        let workload = matches!(intent, Intent::Deploy | Intent::Decommission);
        if traffic && self.session.read_only {
            return Some("read-only session: traffic actions are refused".to_string());
        }
        if workload && self.session.read_only {
            return Some("read-only session: workload actions are refused".to_string());
        }
        if traffic {
            return self.access.missing(&[Need::PatchRouter]);
        }
        match intent {
            Intent::Deploy if self.lifecycle_config.deploy.is_none() => {
                Some("no [deploy] section in the configuration".to_string())
            }
            Intent::Checklist if self.lifecycle_config.checklist.is_empty() => {
                Some("no [[checklist]] items in the configuration".to_string())
            }
            _ => None,
        }
    }

    /// Which key bindings apply now.
    pub fn key_mode(&self) -> KeyMode {
        match (&self.modal, self.screen) {
            (Some(Modal::ConfirmQuit), _) => KeyMode::ConfirmQuit,
            (Some(Modal::Confirm(_)), _) => KeyMode::Confirm,
            (Some(Modal::ChooseRollback { .. }), _) => KeyMode::ChooseColor,
            (Some(Modal::PodDetail { .. }), _) => KeyMode::PodDetail,
            (Some(Modal::VersionPrompt(_)), _) => KeyMode::VersionInput,
            (Some(Modal::Checklist { .. }), _) => KeyMode::Checklist,
            (Some(Modal::ConfirmCancel { .. }), _) => KeyMode::ConfirmCancel,
            (Some(Modal::Explain { .. }), _) => KeyMode::Explain,
            (None, Screen::Help(_)) => KeyMode::Help,
            (None, Screen::AppLog) => KeyMode::AppLog,
            (None, Screen::Cockpit) if self.filter_input.is_some() => KeyMode::FilterInput,
            (None, Screen::Cockpit) if self.logview.search_input.is_some() => KeyMode::SearchInput,
            (None, Screen::Cockpit) => KeyMode::Normal,
        }
    }

    /// The color the router sends all traffic to, if it says exactly one.
    pub fn live_color(&self) -> Option<Color> {
        match self.router.as_ref().map(|r| &r.target) {
            Some(RouterTarget::Color(c)) => Some(*c),
            _ => None,
        }
    }

    /// The color not live, when one is.
    pub fn standby_color(&self) -> Option<Color> {
        self.live_color().map(Color::other)
    }

    /// The color `s` tests: the focused one when the user moved the focus to a color,
    /// else the standby color (blue when the router says neither).
    pub fn smoke_target(&self) -> Color {
        match (self.focus_moved, self.focused_color()) {
            (true, Some(c)) => c,
            _ => self.standby_color().unwrap_or(Color::Blue),
        }
    }

    /// Who acts: the user the API server names, else the kubeconfig user.
    pub fn who(&self) -> String {
        self.session
            .user
            .clone()
            .or_else(|| self.session.kube_user.clone())
            .unwrap_or_else(|| "unknown".into())
    }

    /// The driver lease's holder name of this cockpit: `user@host`.
    pub fn holder(&self) -> String {
        match self.peers.host.as_str() {
            "" => self.who(),
            host => format!("{}@{host}", self.who()),
        }
    }

    /// This cockpit holds a fresh driver lease (the one that arms automatic rollback).
    pub fn is_driver(&self) -> bool {
        self.peers
            .lease
            .as_ref()
            .is_some_and(|l| l.holder == self.holder() && l.fresh(self.now))
    }

    /// Automatic rollback is armed here: configured, and this identity may patch the
    /// router (a viewer is never told it is armed).
    pub fn auto_rollback_armed(&self) -> bool {
        self.signals.armed
            && !self.writes_nothing()
            && self.access.missing(&[Need::PatchRouter]).is_none()
    }

    /// Nothing may be written to the cluster: a read-only session or an identity that
    /// only reads.
    pub fn writes_nothing(&self) -> bool {
        self.session.read_only || self.access.reads_only()
    }

    /// Who is here (header): `["alice (driving)", "bob"]`; empty when no session was read.
    pub fn present(&self) -> Vec<String> {
        self.peers.present(self.now)
    }

    /// What a request still waits for (empty: everything it needs has been read).
    pub fn missing_facts(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.router.is_none() {
            missing.push("the router".to_string());
        }
        let unread = |feed: Feed| self.feeds.get(&feed).is_none_or(|f| f.updated.is_none());
        for c in Color::BOTH {
            if unread(Feed::Pods(c)) {
                missing.push(format!("pods of {}", c.word()));
            }
            if self.colors_with_deployment[c as usize] && unread(Feed::Deployment(c)) {
                missing.push(format!("deployment of {}", c.word()));
            }
        }
        if !self.actions.history_loaded {
            missing.push("the shared history".to_string());
        }
        if !self.access.checked {
            missing.push("the permissions".to_string());
        }
        missing
    }

    /// Everything a request depends on has been read.
    pub fn facts_ready(&self) -> bool {
        self.missing_facts().is_empty()
    }

    /// Seconds since a feed last delivered data, when it is not live.
    pub fn stale_feeds(&self) -> impl Iterator<Item = (&Feed, &FeedState)> {
        self.feeds
            .iter()
            .filter(|(_, f)| !matches!(f.status, FeedStatus::Live))
    }
}
