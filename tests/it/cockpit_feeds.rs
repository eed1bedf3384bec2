//! Integration tests (BUS): the command bus against the in-process simulator, driven with
//! the demo configuration and judged by the messages it sends.

mod load;
mod logs;
mod probes;
mod reconnect;
mod rig;
mod routers;
mod watches;
