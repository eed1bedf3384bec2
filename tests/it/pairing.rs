//! Integration tests (PAIRING): operating together — two cockpits (`sim-alice`, `sim-bob`:
//! two states, two buses) on one simulator: the driver lease (refusal naming the holder,
//! typed takeover, rollback never blocked), the live feed of each other's actions, and a
//! router change made outside cutover.

mod access;
mod feed;
mod lease;
mod presence;
mod rig;
