//! The cockpit's whole state: one plain struct owned by the event loop, changed only
//! by `update`, read by `view`. Time is a value here (`now`); nothing reads a clock.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Local, Offset, Utc};
use regex::Regex;

use super::keymap::{KeyMode, Keymap};
use super::logbuf::LogBuffer;
use super::model::{
    Colour, DeploymentView, Feed, FeedStatus, LbObservation, PodView, ProbeKind, ProbeResult,
    RouterTarget, RouterView,
};
use super::timeline::Timeline;
use crate::config::schema::{Clock, Config, Theme};

/// Most timeline items kept.
pub const TIMELINE_MAX: usize = 500;

/// Seconds after which the load balancer's answer is shown with its age.
const LB_STALE_SECS: i64 = 10;

/// Where the cockpit is connected.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Context {
    /// kubeconfig context name.
    pub context_name: String,
    /// API server URL.
    pub cluster_url: String,
    /// No traffic/workload commands.
    pub read_only: bool,
    /// The operator, when known.
    pub user: Option<String>,
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
}

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A colour column.
    Colour(Colour),
    /// The timeline.
    Timeline,
}

/// An open modal.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// Detail of one pod.
    PodDetail {
        /// Its colour.
        colour: Colour,
        /// Its name.
        pod: String,
        /// Scroll offset in rows.
        scroll: usize,
    },
    /// "Quit?"
    ConfirmQuit,
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

/// A running action (release actions come later; the slot exists for Ctrl-C/`q`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunningAction {
    /// What runs, e.g. "smoke GREEN".
    pub name: String,
    /// Can Ctrl-C cancel it?
    pub cancellable: bool,
}

/// Last results of a colour's probes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probes {
    /// Last `/health/live` result.
    pub live: Option<ProbeResult>,
    /// Last `/health/ready` result.
    pub ready: Option<ProbeResult>,
    /// Most recent failure of either kind.
    pub last_failure: Option<ProbeResult>,
}

impl Probes {
    /// Record a result.
    pub fn record(&mut self, r: ProbeResult) {
        if !r.ok {
            self.last_failure = Some(r.clone());
        }
        match r.kind {
            ProbeKind::Live => self.live = Some(r),
            ProbeKind::Ready => self.ready = Some(r),
        }
    }
}

/// Everything known about one colour.
#[derive(Debug, Clone)]
pub struct ColourState {
    /// Which colour.
    pub colour: Colour,
    /// Its namespace.
    pub namespace: String,
    /// Pods, sorted by name.
    pub pods: Vec<PodView>,
    /// Selected row in the pods table.
    pub selected: usize,
    /// The Deployment (None until seen or when missing).
    pub deployment: Option<DeploymentView>,
    /// Ready/total endpoints of the colour's Service.
    pub endpoints: Option<(u32, u32)>,
    /// Probe results.
    pub probes: Probes,
    /// Log lines.
    pub logs: LogBuffer,
    /// Log streams: (following, matching pods).
    pub streams: Option<(usize, usize)>,
}

impl ColourState {
    /// The colour's version: its Deployment's image tag, else its first pod's.
    pub fn version(&self) -> Option<String> {
        self.deployment
            .as_ref()
            .map(|d| d.version.clone())
            .filter(|v| !v.is_empty())
            .or_else(|| {
                let image = &self.pods.first()?.containers.first()?.image;
                Some(super::model::image_tag(image).to_string())
            })
    }
}

/// A feed's health and when it last delivered data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedState {
    /// Connecting / live / reconnecting.
    pub status: FeedStatus,
    /// Last data received.
    pub updated: Option<DateTime<Utc>>,
}

/// The cockpit state.
#[derive(Debug, Clone)]
pub struct State {
    /// Connection context.
    pub ctx: Context,
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
    pub colours: [ColourState; 2],
    /// The router as last read; `since` is set by `update` when the target changes.
    pub router: Option<RouterView>,
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
    /// The running action, if any.
    pub action: Option<RunningAction>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Streams allowed per colour (for "following N of M").
    pub max_streams: usize,
    dirty: bool,
}

impl State {
    /// A fresh state. Bad `[keys]` overrides (CONFIG rejects them at load) fall back to
    /// the default keymap with a warning in the timeline.
    pub fn new(config: &Config, ctx: Context, now: DateTime<Utc>) -> State {
        let (keymap, key_error) = match Keymap::with_overrides(&config.keys) {
            Ok(k) => (k, None),
            Err(e) => (Keymap::default(), Some(e)),
        };
        let colour = |c: Colour| {
            let cfg = match c {
                Colour::Blue => &config.colors.blue,
                Colour::Green => &config.colors.green,
            };
            ColourState {
                colour: c,
                namespace: cfg.namespace.clone(),
                pods: Vec::new(),
                selected: 0,
                deployment: None,
                endpoints: None,
                probes: Probes::default(),
                logs: LogBuffer::new(config.logs.buffer_lines, config.logs.buffer_bytes),
                streams: None,
            }
        };
        let r = &config.router;
        let kind = serde_json::to_value(r.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut state = State {
            ctx,
            router_label: format!("{kind} {}/{}", r.namespace, r.name),
            now,
            zone: match config.ui.clock {
                Clock::Utc => Zone::utc(),
                Clock::Local => Zone::local(now),
            },
            theme: config.ui.theme,
            no_color: false,
            colours: [colour(Colour::Blue), colour(Colour::Green)],
            router: None,
            router_first_seen: None,
            lb: None,
            lb_configured: r.lb_url.is_some(),
            feeds: BTreeMap::new(),
            timeline: Timeline::new(TIMELINE_MAX),
            timeline_scroll: 0,
            focus: Focus::Colour(Colour::Blue),
            modal: None,
            screen: Screen::Cockpit,
            filter_input: None,
            filter_error: None,
            filter: None,
            wrap: false,
            timestamps: false,
            keymap,
            flash: None,
            action: None,
            size: (80, 24),
            max_streams: config.logs.max_streams,
            dirty: true,
        };
        if let Some(e) = key_error {
            state
                .timeline
                .notice(now, format!("{e}; using default keys"), true);
        }
        state
    }

    /// The load balancer serves a colour other than the one the router names.
    pub fn lb_disagrees(&self) -> bool {
        let routed = match self.router.as_ref().map(|r| &r.target) {
            Some(RouterTarget::Colour(c)) => Some(*c),
            _ => None,
        };
        matches!((self.lb.as_ref().and_then(|o| o.colour), routed), (Some(c), Some(r)) if c != r)
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
        self.dirty = true;
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
        std::mem::take(&mut self.dirty)
    }

    /// Mark that something visible changed.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// One colour's state.
    pub fn colour(&self, c: Colour) -> &ColourState {
        &self.colours[c as usize]
    }

    /// One colour's state, mutable.
    pub fn colour_mut(&mut self, c: Colour) -> &mut ColourState {
        &mut self.colours[c as usize]
    }

    /// Which key bindings apply now.
    pub fn key_mode(&self) -> KeyMode {
        match (&self.modal, self.screen) {
            (Some(Modal::ConfirmQuit), _) => KeyMode::ConfirmQuit,
            (Some(Modal::PodDetail { .. }), _) => KeyMode::PodDetail,
            (None, Screen::Help(_)) => KeyMode::Help,
            (None, Screen::AppLog) => KeyMode::AppLog,
            (None, Screen::Cockpit) if self.filter_input.is_some() => KeyMode::FilterInput,
            (None, Screen::Cockpit) => KeyMode::Normal,
        }
    }

    /// Seconds since a feed last delivered data, when it is not live.
    pub fn stale_feeds(&self) -> impl Iterator<Item = (&Feed, &FeedState)> {
        self.feeds
            .iter()
            .filter(|(_, f)| !matches!(f.status, FeedStatus::Live))
    }
}
