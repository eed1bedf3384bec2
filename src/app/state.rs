//! The cockpit's whole state: one plain struct owned by the event loop, changed only
//! by `update`, read by `view`. Time is a value here (`now`); nothing reads a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Local, Offset, Utc};
use regex::Regex;

use super::access::{Access, Need};
use super::action::confirm::Confirm;
use super::action::tracker::Actions;
use super::action::RequestOptions;
use super::logbuf::LogBuffer;
use super::logview::LogView;
use super::peers::Peers;
use super::signals::Signals;
use super::timeline::Timeline;
use crate::config::schema::{Clock, Config, ReleaseConfig, SmokeConfig, Theme};
use crate::keymap::{KeyMode, Keymap};
use crate::model::{
    Color, DeploymentSummary, Feed, FeedStatus, LbObservation, PodSummary, ProbeKind, ProbeResult,
    RouterReading, RouterTarget,
};

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

/// The zone timestamps are shown in (fixed when the state is made, so frames are stable).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Offset from UTC.
    pub offset: FixedOffset,
    /// Label shown beside times: "UTC" or "UTC+01:00".
    pub label: String,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            offset: FixedOffset::east_opt(0).expect("zero offset"),
            label: "UTC".into(),
        }
    }

    /// The local zone's offset at `now`.
    pub fn local(now: DateTime<Utc>) -> Zone {
        let offset = now.with_timezone(&Local).offset().fix();
        if offset.local_minus_utc() == 0 {
            return Zone::utc();
        }
        Zone {
            offset,
            label: format!("UTC{offset}"),
        }
    }

    /// "10:42:07" in this zone.
    pub fn hms(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.offset).format("%H:%M:%S").to_string()
    }

    /// A time as it reads best beside `now`: "10:42:07" today, "Nov 25 10:42:07" this
    /// year, "2099-01-01 00:00:00" otherwise (all in this zone).
    pub fn stamp(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let (t, now) = (
            t.with_timezone(&self.offset),
            now.with_timezone(&self.offset),
        );
        let format = if t.date_naive() == now.date_naive() {
            "%H:%M:%S"
        } else if t.format("%Y").to_string() == now.format("%Y").to_string() {
            "%b %d %H:%M:%S"
        } else {
            "%Y-%m-%d %H:%M:%S"
        };
        t.format(format).to_string()
    }
}

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A color column.
    Color(Color),
    /// The timeline.
    Timeline,
}

/// An open modal.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// Why a color's signals stand as they do: queries, samples, budget, source health.
    Explain {
        /// Its color.
        color: Color,
        /// Scroll offset in rows.
        scroll: usize,
    },
    /// Detail of one pod.
    PodDetail {
        /// Its color.
        color: Color,
        /// Its name.
        pod: String,
        /// Scroll offset in rows.
        scroll: usize,
    },
    /// "Quit?"
    ConfirmQuit,
    /// The confirmation of an action; it carries the action it confirms.
    Confirm(Box<Confirm>),
    /// The router says neither color: which one to roll back to?
    ChooseRollback {
        /// How the rollback was asked.
        options: RequestOptions,
    },
}

/// A full-screen view replacing the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The cockpit.
    Cockpit,
    /// Help, scrolled by this many rows.
    Help(usize),
    /// cutover's own log.
    AppLog,
}

/// Sizes the view last drew, reported back to `update` (`Msg::Viewport`) so the core
/// never copies the UI's layout to clamp scrolling or size a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    /// Rows of a color's log pane (what PgUp/PgDn move).
    pub log_rows: usize,
    /// Rows of the timeline pane.
    pub timeline_rows: usize,
    /// Lines of the help screen, when it is open.
    pub help_lines: usize,
    /// Lines of the pod detail (or the signals' explanation), when it is open.
    pub detail_lines: usize,
}

/// Last results of a color's probes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probes {
    /// Last `/health/live` result.
    pub live: Option<ProbeResult>,
    /// Last `/health/ready` result.
    pub ready: Option<ProbeResult>,
    /// Most recent failure of the app (not of the way to it) of either kind.
    pub last_failure: Option<ProbeResult>,
}

impl Probes {
    /// Record a result.
    pub fn record(&mut self, r: ProbeResult) {
        if !r.ok && r.path_error.is_none() {
            self.last_failure = Some(r.clone());
        }
        match r.kind {
            ProbeKind::Live => self.live = Some(r),
            ProbeKind::Ready => self.ready = Some(r),
        }
    }
}

/// Everything known about one color.
#[derive(Debug, Clone)]
pub struct ColorState {
    /// Which color.
    pub color: Color,
    /// Its namespace.
    pub namespace: String,
    /// Pods, those needing attention first (failing, then settling, then ready), then by name.
    pub pods: Vec<PodSummary>,
    /// Selected row in the pods table.
    pub selected: usize,
    /// The Deployment (None until seen or when missing).
    pub deployment: Option<DeploymentSummary>,
    /// Ready/total endpoints of the color's Service.
    pub endpoints: Option<(u32, u32)>,
    /// Probe results.
    pub probes: Probes,
    /// Log lines.
    pub logs: LogBuffer,
    /// Log streams: (following, matching pods).
    pub streams: Option<(usize, usize)>,
    /// The configured Deployment's name, if any.
    pub deployment_name: Option<String>,
    /// The namespace was looked up and does not exist.
    pub namespace_missing: bool,
}

impl ColorState {
    /// The color's version: its Deployment's image tag, else its first pod's.
    pub fn version(&self) -> Option<String> {
        self.deployment
            .as_ref()
            .map(|d| d.version.clone())
            .filter(|v| !v.is_empty())
            .or_else(|| {
                let image = &self.pods.first()?.containers.first()?.image;
                Some(crate::model::image_tag(image).to_string())
            })
    }
}

/// A feed's health and when it last delivered data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedState {
    /// Connecting / live / reconnecting.
    pub status: FeedStatus,
    /// Until when its data is known current: the last data received, or the moment the
    /// live feed failed (a watch that sees no change is still current).
    pub updated: Option<DateTime<Utc>>,
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
    /// Other cockpits, and which writes were this cockpit's own.
    pub peers: Peers,
    /// What this identity may do.
    pub access: Access,
    dirty: Dirty,
}

/// Which kinds of change made the state dirty: the face redraws log-only changes at a
/// lower rate than the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty(u8);

impl Dirty {
    /// Nothing changed.
    pub const NONE: Dirty = Dirty(0);
    /// New lines in a log pane on screen (and following).
    pub const LOGS: Dirty = Dirty(1);
    /// Anything else shown: keys, pods, router, probes, actions, feeds, the clock.
    pub const OTHER: Dirty = Dirty(2);

    /// True when every kind in `other` is set here.
    pub fn contains(self, other: Dirty) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when nothing changed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Dirty {
    type Output = Dirty;
    fn bitor(self, rhs: Dirty) -> Dirty {
        Dirty(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Dirty {
    fn bitor_assign(&mut self, rhs: Dirty) {
        self.0 |= rhs.0;
    }
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
            focus_moved: false,
            size: (80, 24),
            max_streams: config.logs.max_streams,
            viewport: Viewport::default(),
            colors_with_deployment: Color::BOTH.map(|c| config.colors.of(c).deployment.is_some()),
            signals,
            seen_pods: BTreeMap::new(),
            logview: LogView::default(),
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
        if let Some(why) = intent.unavailable() {
            return Some(why.to_string());
        }
        let traffic = matches!(
            intent,
            Intent::Switch | Intent::Rollback | Intent::RollbackChord
        );
        if !traffic {
            return None;
        }
        if self.session.read_only {
            return Some("read-only session: traffic actions are refused".to_string());
        }
        self.access.missing(&[Need::PatchRouter])
    }

    /// Which key bindings apply now.
    pub fn key_mode(&self) -> KeyMode {
        match (&self.modal, self.screen) {
            (Some(Modal::ConfirmQuit), _) => KeyMode::ConfirmQuit,
            (Some(Modal::Confirm(_)), _) => KeyMode::Confirm,
            (Some(Modal::ChooseRollback { .. }), _) => KeyMode::ChooseColor,
            (Some(Modal::PodDetail { .. }), _) => KeyMode::PodDetail,
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
