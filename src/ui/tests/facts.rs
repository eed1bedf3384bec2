//! Facts shown right: the LB's answer when both colors run one version, pods needing
//! attention first with how many are not shown.

use super::{buffer, row, screen_text};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::update::update;
use crate::model::Color;

#[test]
fn an_lb_answer_both_colors_could_give_says_so() {
    let mut s = sample::state(3, 10);
    let mut msgs = sample::color_msgs(Color::Green, 3);
    if let Msg::Deployment {
        deployment: Some(d),
        ..
    } = &mut msgs[1]
    {
        d.version = "v1.9.3".into();
    }
    msgs.push(sample::lb("v1.9.3", None));
    for m in msgs {
        update(&mut s, m);
    }
    let header = row(&buffer(&s, 160, 40), 1);
    assert!(
        header.contains("LB serves v1.9.3 (both colors run it: cannot tell which serves)"),
        "{header}"
    );
    assert!(!header.contains("neither"), "{header}");
}

#[test]
fn a_crashing_pod_among_200_is_on_top_and_the_rest_is_counted() {
    let mut s = sample::state(200, 10);
    let mut pods: Vec<_> = (0..200).map(|i| sample::pod(Color::Blue, i)).collect();
    // Far down the alphabet.
    let last = pods.iter().map(|p| p.name.clone()).max().unwrap();
    let crashing = pods.iter_mut().find(|p| p.name == last).unwrap();
    crashing.status = "CrashLoopBackOff".into();
    crashing.ready = 0;
    pods[3].status = "Pending".into();
    pods[3].ready = 0;
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    let buf = buffer(&s, 120, 40);
    let text = screen_text(&buf);
    let blue: Vec<String> = text.lines().map(|l| l.chars().take(60).collect()).collect();
    assert!(
        blue[4].contains("198 Running · 1 CrashLoopBackOff · 1 Pending"),
        "{text}"
    );
    assert!(
        blue[5].contains("pod") && blue[5].contains("status"),
        "{text}"
    );
    assert!(blue[6].contains("CrashLoopBackOff"), "{text}");
    assert!(blue[7].contains("Pending"), "{text}");
    let shown = blue.iter().filter(|l| l.contains("Running")).count() - 1;
    let more = format!("+ {} more", 200 - shown - 2);
    assert!(
        blue.iter().any(|l| l.contains(&more)),
        "{more} not in:\n{text}"
    );
}

/// The API server is lost at `since`: every feed reports it.
fn lose_every_feed(s: &mut crate::app::state::State, since: chrono::DateTime<chrono::Utc>) {
    use crate::model::{Feed, FeedStatus};
    let feeds: Vec<Feed> = s.feeds.keys().cloned().collect();
    for feed in feeds {
        let down = FeedStatus::Reconnecting {
            since,
            error: "connection refused".into(),
        };
        update(s, Msg::Feed(feed, down));
    }
}

/// Half a second into an outage the header does not say the data is half a minute old,
/// even though one feed had nothing new for that long.
#[test]
fn staleness_counts_from_when_each_feed_was_last_current() {
    use chrono::Duration;
    let mut s = sample::state(3, 10);
    let outage = sample::now() + Duration::seconds(33);
    update(&mut s, Msg::Tick(outage));
    lose_every_feed(&mut s, outage);
    update(&mut s, Msg::Tick(outage + Duration::milliseconds(500)));
    let text = screen_text(&buffer(&s, 160, 40));
    let mut lines = text.lines();
    let (header, traffic) = (lines.next().unwrap(), lines.next().unwrap());
    assert!(header.contains("updated 0s ago"), "{text}");
    assert!(
        traffic.contains("router reconnecting · updated 0s ago"),
        "{text}"
    );
}

/// The heavy frame is LIVE's, wherever the focus is; focus is the ▶ in a title.
#[test]
fn the_heavy_frame_follows_live_not_focus() {
    use crate::app::state::Focus;
    let mut s = sample::state(3, 10);
    for focus in [
        Focus::Color(Color::Green),
        Focus::Timeline,
        Focus::Color(Color::Blue),
    ] {
        s.focus = focus;
        let buf = buffer(&s, 120, 40);
        assert_eq!(buf[(0, 3)].symbol(), "┏", "{focus:?}: blue is LIVE");
        assert_eq!(buf[(60, 3)].symbol(), "┌", "{focus:?}: green is standby");
        let titles = row(&buf, 3);
        let (blue, green) = titles.split_at(titles.char_indices().nth(60).unwrap().0);
        assert_eq!(
            blue.contains('▶'),
            focus == Focus::Color(Color::Blue),
            "{titles}"
        );
        assert_eq!(
            green.contains('▶'),
            focus == Focus::Color(Color::Green),
            "{titles}"
        );
        let timeline = screen_text(&buf)
            .lines()
            .find(|l| l.contains("timeline ("))
            .unwrap()
            .to_string();
        assert_eq!(
            timeline.contains('▶'),
            focus == Focus::Timeline,
            "{timeline}"
        );
        assert!(!timeline.contains('━'), "{timeline}");
    }
}

/// With the API lost, the panes' facts say they are stale where they are shown.
#[test]
fn facts_of_a_lost_feed_are_marked_where_shown() {
    let mut s = sample::state(3, 10);
    let before = screen_text(&buffer(&s, 140, 40));
    assert!(!before.contains("stale"), "{before}");
    lose_every_feed(&mut s, sample::now());
    let text = screen_text(&buffer(&s, 140, 40));
    for c in [0, 70] {
        let pane: Vec<String> = text
            .lines()
            .map(|l| l.chars().skip(c).take(70).collect())
            .collect();
        let pane = pane.join("\n");
        assert!(pane.contains("3/3 ready (stale)"), "{pane}");
        assert!(pane.contains("kubelet 3/3 ready (stale)"), "{pane}");
        assert!(pane.contains("endpoints 3/3 (stale)"), "{pane}");
    }
}

/// A probe whose way through the API failed is not the app failing: no ✖, no "last
/// failure", and it says which way failed.
#[test]
fn a_probe_that_never_reached_the_app_does_not_read_as_the_app_failing() {
    use crate::model::{ProbeKind, ProbeResult};
    let mut s = sample::state(3, 10);
    for kind in [ProbeKind::Live, ProbeKind::Ready] {
        update(
            &mut s,
            Msg::Probe(ProbeResult {
                color: Color::Blue,
                kind,
                ok: false,
                latency_ms: 2000,
                detail: String::new(),
                path_error: Some("via API proxy: timed out after 2 s".into()),
                version: None,
                at: sample::now(),
            }),
        );
    }
    assert!(s.color(Color::Blue).probes.last_failure.is_none());
    let text = screen_text(&buffer(&s, 200, 40));
    let blue: String = text
        .lines()
        .map(|l| l.chars().take(100).collect::<String>() + "\n")
        .collect();
    assert!(
        blue.contains("live ? via API proxy: timed out after 2 s  ready ? via API proxy"),
        "{blue}"
    );
    assert!(
        !blue.contains('✖') && !blue.contains("last failure"),
        "{blue}"
    );
}

/// The header says what fails and where, not only that something does.
#[test]
fn a_lost_api_says_what_fails_and_where() {
    use crate::model::{Feed, FeedStatus};
    let mut s = sample::state(3, 10);
    let down = FeedStatus::Reconnecting {
        since: sample::now(),
        error: "TLS certificate not trusted (unknown issuer)".into(),
    };
    update(&mut s, Msg::Feed(Feed::Router, down));
    let header = row(&buffer(&s, 200, 40), 0);
    assert!(
        header.contains(
            "⚠ RECONNECTING (1 feed) · updated 0s ago · https://10.0.0.1:6443: TLS certificate not trusted (unknown issuer)"
        ),
        "{header}"
    );
}

/// Missing objects are named: the namespace where the pods would be, the Deployment in
/// the title.
#[test]
fn missing_namespace_and_deployment_are_named() {
    let mut s = sample::state(3, 10);
    update(
        &mut s,
        Msg::Deployment {
            color: Color::Green,
            deployment: None,
        },
    );
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods: vec![],
        },
    );
    update(
        &mut s,
        Msg::Namespace {
            color: Color::Blue,
            exists: false,
        },
    );
    let text = screen_text(&buffer(&s, 160, 40));
    let (blue, green): (Vec<String>, Vec<String>) = text
        .lines()
        .map(|l| {
            let c: Vec<char> = l.chars().collect();
            (c[..80].iter().collect(), c[80..].iter().collect())
        })
        .unzip();
    assert!(
        blue.join("\n")
            .contains("namespace fittrack-blue not found"),
        "{text}"
    );
    assert!(!blue.join("\n").contains("no pods match"), "{text}");
    assert!(green[3].contains("deployment fittrack not found"), "{text}");
}

/// Ages read in one style and, like restart counts, fit their column whole.
#[test]
fn ages_and_restarts_fit_their_columns() {
    use chrono::Duration;
    let mut s = sample::state(5, 0);
    let ages = [45, 118, 9_000, 273_600, 8_639_000];
    let mut pods: Vec<_> = (0..5).map(|i| sample::pod(Color::Blue, i)).collect();
    for (pod, secs) in pods.iter_mut().zip(ages) {
        pod.created = Some(sample::now() - Duration::seconds(secs));
    }
    pods[4].restarts = 12_345;
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    for width in [80, 120] {
        let text = screen_text(&buffer(&s, width, 40));
        let rows: Vec<String> = text
            .lines()
            .filter(|l| l.contains("fittrack-7c9d8f") || l.contains("…"))
            .map(|l| l.chars().take(usize::from(width / 2)).collect())
            .filter(|l: &String| l.contains("Running"))
            .collect();
        assert_eq!(rows.len(), 5, "{text}");
        for (row, want) in rows.iter().zip(["45s", "1m58s", "2h30m", "3d4h", "99d23h"]) {
            assert!(
                row.trim_end_matches('┃').trim_end().ends_with(want),
                "{row:?} {want}"
            );
            assert!(row.ends_with(" ┃"), "runs into the border: {row:?}");
        }
        assert!(rows[4].contains(" 12345 "), "{:?}", rows[4]);
    }
}

/// The pod detail shows the kubelet's messages, labels and annotations.
#[test]
fn pod_detail_shows_messages_labels_and_annotations() {
    use crate::app::state::Modal;
    let mut s = sample::state(3, 0);
    let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Blue, i)).collect();
    pods[0].status = "ImagePullBackOff".into();
    pods[0].ready = 0;
    pods[0].containers[0].message = Some("Back-off pulling image \"fittrack/api:v9\"".into());
    pods[0].conditions = vec![(
        "PodScheduled".into(),
        "False".into(),
        "Unschedulable: 0/3 nodes are available".into(),
    )];
    pods[0].annotations = vec![("team".into(), "payments".into())];
    let name = pods[0].name.clone();
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    s.modal = Some(Modal::PodDetail {
        color: Color::Blue,
        pod: name,
        scroll: 0,
    });
    let text = screen_text(&buffer(&s, 120, 40));
    for want in [
        "Back-off pulling image \"fittrack/api:v9\"",
        "Unschedulable: 0/3 nodes are available",
        "app=fittrack",
        "deployment=blue",
        "team: payments",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}
