//! The bus on the `load` scenario (200 pods per colour): the feeds keep up.

use std::time::Instant;

use cutover::app::model::Colour;

use super::rig::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_pods_per_colour_are_seen_and_followed_up_to_the_limit() {
    let started = Instant::now();
    let mut rig = Rig::start_with("load", |_| {}).await;
    rig.until("200 running pods per colour", |s| {
        (s.running(Colour::Blue) == 200 && s.running(Colour::Green) == 200).then_some(())
    })
    .await;
    let all_running = started.elapsed();
    rig.until("following 50 of 200 per colour", |s| {
        (s.streams == [Some((50, 200)); 2]).then_some(())
    })
    .await;
    eprintln!(
        "load: 2×200 pods running after {all_running:?}, 2×50 log streams after {:?}",
        started.elapsed()
    );
}
