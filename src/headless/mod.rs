//! The driver's headless face: one request (or one report) and an exit code. Progress and
//! warnings go to stderr, results to stdout; a question is asked on the terminal, and
//! refused without one (pass `--yes`).

use std::io::{BufRead, IsTerminal, Write};

use crate::app::action::{Request, RequestOptions};
use crate::app::msg::{Face, Msg};
use crate::app::release::exit;
use crate::bus::FeedSet;
use crate::cli::Format;
use crate::driver::{Driver, Launch};
use crate::report;

/// Seconds a report waits for what it shows.
const REPORT_WAIT_SECS: i64 = 20;

/// What a headless command does.
#[derive(Debug, Clone)]
pub enum Job {
    /// An action, through `update` like a confirmed key.
    Act(Request, RequestOptions),
    /// `cutover status`.
    Status(Format),
    /// `cutover checklist`: run the checklist's commands, then print every item.
    Checklist(Format),
    /// `cutover watch`: judge the live color for a while, rolling back when asked.
    Watch {
        /// How long.
        duration: chrono::Duration,
        /// Roll back when the budget is exhausted.
        auto_rollback: bool,
    },
    /// `cutover journal`.
    Journal {
        /// Only entries newer than this.
        since: Option<chrono::Duration>,
        /// How to print.
        format: Format,
    },
}

/// Run one job to its exit code.
pub async fn run(launch: Launch, job: Job) -> color_eyre::Result<i32> {
    let feeds = match job {
        Job::Act(..) | Job::Checklist(_) => FeedSet::headless(),
        Job::Status(_) => FeedSet {
            probes: true,
            metrics: true,
            ..FeedSet::headless()
        },
        Job::Watch { .. } => FeedSet {
            metrics: true,
            ..FeedSet::headless()
        },
        // The post-mortem reads the router and the colors' Events too.
        Job::Journal {
            format: Format::Markdown,
            ..
        } => FeedSet::headless(),
        Job::Journal { .. } => FeedSet::none(),
    };
    let mut driver = Driver::start(&launch, feeds)?;
    let code = match job {
        Job::Act(request, options) => act(&mut driver, request, options).await,
        Job::Status(format) => status(&mut driver, format).await,
        Job::Checklist(format) => {
            let options = RequestOptions {
                yes: true,
                headless: true,
                ..RequestOptions::default()
            };
            let code = act(&mut driver, Request::Checklist, options).await;
            if let Ok(c) = &code {
                print_checklist(&driver, format, *c);
            }
            code
        }
        Job::Watch {
            duration,
            auto_rollback,
        } => {
            let until = driver.state.now + duration;
            let msg = Msg::Watch {
                until,
                auto_rollback,
            };
            run_messages(&mut driver, vec![msg]).await
        }
        Job::Journal { since, format } => journal(&mut driver, since, format).await,
    };
    driver.shutdown().await;
    code
}

async fn act(
    driver: &mut Driver,
    request: Request,
    options: RequestOptions,
) -> color_eyre::Result<i32> {
    run_messages(driver, vec![Msg::Request(request, options)]).await
}

/// Fold `queue` and then the driver's messages until a face asks to exit.
async fn run_messages(driver: &mut Driver, mut queue: Vec<Msg>) -> color_eyre::Result<i32> {
    loop {
        while let Some(msg) = queue.pop() {
            for face in driver.dispatch(msg) {
                match face {
                    Face::Exit(code) => return Ok(code),
                    Face::Print(line) => println!("{line}"),
                    Face::Warn(line) => eprintln!("{line}"),
                    Face::Ask { text, expect } => {
                        queue.push(Msg::Answer(ask(&text, &expect).await))
                    }
                    Face::Suspend | Face::ClearScreen => {}
                }
            }
        }
        queue.push(driver.next().await);
    }
}

/// The checklist as it stands after its commands ran (nothing when the run was refused).
fn print_checklist(driver: &Driver, format: Format, code: i32) {
    let Some(cl) = &driver.state.standing.checklist else {
        return;
    };
    if code != exit::OK && code != exit::GATE {
        return;
    }
    match format {
        Format::Json => {
            let json = report::checklist::json(cl);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        _ => println!("{}", report::checklist::text(cl)),
    }
}

/// Ask on the terminal; without one, answer nothing (the request is then refused).
async fn ask(text: &str, expect: &str) -> String {
    if !std::io::stdin().is_terminal() {
        eprintln!("{text}\nno terminal to ask: pass --yes to confirm non-interactively");
        return String::new();
    }
    eprint!("{text}\n> type {expect} to confirm: ");
    let _ = std::io::stderr().flush();
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        line
    })
    .await
    .unwrap_or_default()
}

/// Fold messages until `ready` holds or the wait is over; `false` when it gave up.
async fn wait_for(driver: &mut Driver, ready: impl Fn(&Driver) -> bool) -> Option<i32> {
    let started = driver.state.now;
    loop {
        if ready(driver) {
            return None;
        }
        if (driver.state.now - started).num_seconds() >= REPORT_WAIT_SECS {
            let missing = driver.state.missing_facts().join(", ");
            eprintln!("gave up after {REPORT_WAIT_SECS} s waiting for {missing}");
            return Some(exit::ERROR);
        }
        let msg = driver.next().await;
        for face in driver.dispatch(msg) {
            if let Face::Exit(code) = face {
                return Some(code);
            }
        }
    }
}

/// Fold what a feed sends right after it said it is live (a watch's first list follows its
/// Live status), until nothing arrives for a moment.
async fn settle(driver: &mut Driver) {
    let quiet = std::time::Duration::from_millis(300);
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    while tokio::time::Instant::now() < until {
        match tokio::time::timeout(quiet, driver.next()).await {
            Ok(msg) => {
                driver.dispatch(msg);
            }
            Err(_) => return,
        }
    }
}

async fn status(driver: &mut Driver, format: Format) -> color_eyre::Result<i32> {
    let probed = |d: &Driver| {
        crate::model::Color::BOTH.iter().all(|c| {
            let p = &d.state.color(*c).probes;
            // The first scrape is a baseline: wait for a measured sample (or a second one).
            let sig = d.state.signals.color(*c);
            let sampled = d.state.signals.source == crate::config::metrics::Source::None
                || sig.samples.len() >= 2
                || sig.last().is_some_and(|j| j.sample.requests.is_some());
            p.live.is_some() && p.ready.is_some() && sampled
        })
    };
    if let Some(code) = wait_for(driver, |d| d.state.facts_ready() && probed(d)).await {
        return Ok(code);
    }
    let s = report::status::report(&driver.state);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        _ => println!("{}", report::status::text(&s)),
    }
    Ok(exit::OK)
}

async fn journal(
    driver: &mut Driver,
    since: Option<chrono::Duration>,
    format: Format,
) -> color_eyre::Result<i32> {
    if let Some(code) = wait_for(driver, |d| d.state.actions.history_loaded).await {
        return Ok(code);
    }
    let since = since.map(|d| driver.state.now - d);
    let entries = report::journal::select(&driver.state.actions.history, since);
    let out = match format {
        Format::Text => report::journal::text(&entries),
        Format::Json => report::journal::json(&entries),
        Format::Markdown => {
            // The post-mortem also shows the router now and both colors' Warning Events.
            let events = |d: &Driver| {
                let live = |ns: &String| {
                    d.state
                        .feeds
                        .get(&crate::model::Feed::Events(ns.clone()))
                        .is_some_and(|f| matches!(f.status, crate::model::FeedStatus::Live))
                };
                d.state.router.is_some() && d.state.colors.iter().all(|c| live(&c.namespace))
            };
            if let Some(code) = wait_for(driver, events).await {
                return Ok(code);
            }
            settle(driver).await;
            report::journal::markdown(&crate::app::release::postmortem::gather(
                &driver.state,
                since,
            ))
        }
    };
    if !out.is_empty() {
        println!("{out}");
    }
    Ok(exit::OK)
}
