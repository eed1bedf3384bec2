//! Integration tests (SWITCH): driving traffic — the switch/rollback executor through the
//! real `update` and bus against the simulator, per router kind; conflicts, a lost answer,
//! a slow API, verification's loud endings; and the headless commands of the real binary.

mod cockpit;
mod conflict;
mod headless;
mod kinds;
mod lossy;
mod resilience;
pub mod rig;
mod verification;
