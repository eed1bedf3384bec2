//! The pure core: state, messages, `update`, key handling, and the release actions'
//! decisions.

pub mod access;
pub mod action;
pub mod analysis;

pub mod facts;
pub mod keys;
pub mod live;
pub mod logbuf;
pub mod logfmt;
pub mod logkeys;
pub mod logview;

pub mod msg;
pub mod peers;
pub mod reconnect;
pub mod release;
pub mod sample;
pub mod sessions;
pub mod signals;
pub mod state;
pub mod timeline;
pub mod update;
