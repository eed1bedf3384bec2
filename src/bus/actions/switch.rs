//! Switch (and rollback): one compare-and-swap JSON patch of the router, then verification.

use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::app::action::{Outcome, SwitchPlan};
use crate::bus::Ctx;

/// Run a switch to the end and say how it ended.
pub async fn run(
    _ctx: &Ctx,
    _plan: SwitchPlan,
    _progress: &Progress,
    _cancel: CancellationToken,
) -> Outcome {
    Outcome::Failed("switch: not built yet".into())
}
