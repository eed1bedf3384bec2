//! The pure core: state, messages, `update` and the keymap.

pub mod keys;
pub mod logbuf;
pub mod logfmt;
pub mod logkeys;
pub mod logview;

pub mod msg;
pub mod sample;
pub mod state;
pub mod timeline;
pub mod update;
