//! Cockpit benchmarks: a full frame with 200 pods and 10 000 log lines per color at
//! 200×50, half of them JSON (target < 2 ms), and log ingestion — sanitize + dedupe +
//! structured parsing + buffer — in lines per second (target > 500 000/s on one core).

use std::hint::black_box;

use chrono::Duration;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use cutover::app::msg::Msg;
use cutover::app::sample;
use cutover::app::update::update;
use cutover::bus::logs::dedup::Dedup;
use cutover::model::{Color, LogLine};
use cutover::sanitize::sanitize_line;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn render(c: &mut Criterion) {
    let mut state = sample::state(200, 10_000);
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("test terminal");
    c.bench_function("frame 200x50, 200 pods + 10k lines per color", |b| {
        b.iter(|| {
            term.draw(|f| {
                cutover::ui::view(f, black_box(&state));
            })
            .map(|_| ())
            .expect("draw")
        })
    });
    update(
        &mut state,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('w'),
        )),
    );
    state.filter = Some(regex::Regex::new("error").expect("regex"));
    // As `update` does after every message: the buffers judge their lines once.
    cutover::app::logkeys::sync(&mut state);
    c.bench_function("frame 200x50, wrap + regex filter", |b| {
        b.iter(|| {
            term.draw(|f| {
                cutover::ui::view(f, black_box(&state));
            })
            .map(|_| ())
            .expect("draw")
        })
    });
    state.filter = None;
    state.logview.level = cutover::app::logview::LevelFilter::Warnings;
    state.logview.search = Some(regex::Regex::new("pool|slow").expect("regex"));
    cutover::app::logkeys::sync(&mut state);
    c.bench_function(
        "frame 200x50, wrap + level filter + search highlights",
        |b| {
            b.iter(|| {
                term.draw(|f| {
                    cutover::ui::view(f, black_box(&state));
                })
                .map(|_| ())
                .expect("draw")
            })
        },
    );
}

/// Raw lines as pods write them: half JSON (like the simulator's apps), some logfmt, plain
/// access lines, some with color escapes.
fn raw_lines(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let pod = format!("fittrack-7c9d8f-{:05}", i % 3);
            let text = match i % 10 {
                0 => format!("\u{1b}[32mINFO\u{1b}[0m\tGET /api/workouts/{i} 200 12ms"),
                1..=5 => format!("{{\"time\":\"2026-12-01T20:35:06.177Z\",\"level\":\"info\",\"logger\":\"fittrack.api\",\"msg\":\"workout synced\",\"version\":\"v2.0.0\",\"seq\":{i}}}"),
                6 => format!("ts=2026-12-01T20:35:06Z level=warn msg=\"slow query\" ms=812 seq={i}"),
                _ => format!("10.0.0.7 - - GET /api/workouts/{i} HTTP/1.1 200 512 12ms"),
            };
            (pod, text)
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    const N: usize = 10_000;
    let raw = raw_lines(N);
    let t0 = sample::now();
    let mut group = c.benchmark_group("log ingestion");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("sanitize + dedup + parse + buffer", |b| {
        b.iter_batched(
            || (sample::state(3, 0), raw.clone()),
            |(mut state, raw)| {
                let mut dedup = [Dedup::new(), Dedup::new(), Dedup::new()];
                let mut batch = Vec::with_capacity(raw.len());
                for (i, (pod, text)) in raw.into_iter().enumerate() {
                    let ts = Some(t0 + Duration::milliseconds(i as i64));
                    let text = sanitize_line(&text, 2_000);
                    if dedup[i % 3].accept(ts, &text) {
                        batch.push(LogLine {
                            color: Color::Blue,
                            pod,
                            container: "api".into(),
                            ts,
                            text,
                        });
                    }
                }
                update(&mut state, Msg::LogLines(batch));
                state
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, render, ingest);
criterion_main!(benches);
