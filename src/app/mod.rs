//! The pure core: state, messages, `update` and the keymap.

pub mod model;
pub mod msg;
