//! Feed bookkeeping: how current each feed's data is.

use chrono::Duration;

use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::update::update;
use crate::model::{Color, Feed, FeedStatus, KubeEvent};

/// A quiet feed (no Event for a minute) was current until the API was lost, not since its
/// last Event: 0.5 s into an outage nothing is "updated 33 s ago".
#[test]
fn a_quiet_feed_is_current_until_it_fails() {
    let mut s = sample::state(3, 0);
    let t0 = sample::now();
    let quiet = Feed::Events("fittrack-blue".into());
    update(&mut s, Msg::Feed(quiet.clone(), FeedStatus::Live));
    update(
        &mut s,
        Msg::Events(vec![KubeEvent {
            namespace: "fittrack-blue".into(),
            ..sample_event()
        }]),
    );
    let outage = t0 + Duration::seconds(33);
    update(&mut s, Msg::Tick(outage));
    for feed in [quiet.clone(), Feed::Pods(Color::Blue)] {
        update(
            &mut s,
            Msg::Feed(
                feed,
                FeedStatus::Reconnecting {
                    since: outage,
                    error: "connection refused".into(),
                },
            ),
        );
    }
    update(&mut s, Msg::Tick(outage + Duration::milliseconds(500)));
    assert_eq!(s.feeds[&quiet].updated, Some(outage));
    assert_eq!(s.feeds[&Feed::Pods(Color::Blue)].updated, Some(outage));
    // Failing again does not move it; coming back makes it current.
    let later = outage + Duration::seconds(20);
    update(&mut s, Msg::Tick(later));
    update(
        &mut s,
        Msg::Feed(
            quiet.clone(),
            FeedStatus::Reconnecting {
                since: outage,
                error: "still".into(),
            },
        ),
    );
    assert_eq!(s.feeds[&quiet].updated, Some(outage));
    update(&mut s, Msg::Feed(quiet.clone(), FeedStatus::Live));
    assert_eq!(s.feeds[&quiet].updated, Some(later));
}

fn sample_event() -> KubeEvent {
    KubeEvent {
        uid: "q".into(),
        time: sample::now(),
        namespace: String::new(),
        object: "Pod/x".into(),
        reason: "Pulled".into(),
        message: String::new(),
        kind: crate::model::EventKind::Normal,
        count: 1,
    }
}
