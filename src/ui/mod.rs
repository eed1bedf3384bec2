//! Drawing: `view(&State)` renders the cockpit.
