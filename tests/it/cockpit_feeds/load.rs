//! The bus on the `load` scenario (200 pods per color): the feeds keep up.

use std::time::Instant;

use cutover::model::Color;

use super::rig::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_pods_per_color_are_seen_and_followed_up_to_the_limit() {
    let started = Instant::now();
    let mut rig = Rig::start_with("load", |_| {}).await;
    rig.until("200 running pods per color", |s| {
        (s.running(Color::Blue) == 200 && s.running(Color::Green) == 200).then_some(())
    })
    .await;
    let all_running = started.elapsed();
    rig.until("following 50 of 200 per color", |s| {
        (s.streams == [Some((50, 200)); 2]).then_some(())
    })
    .await;
    eprintln!(
        "load: 2×200 pods running after {all_running:?}, 2×50 log streams after {:?}",
        started.elapsed()
    );
}
