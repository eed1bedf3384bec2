//! Which kinds of change made the state dirty.

/// Which kinds of change made the state dirty: the face redraws log-only changes at a
/// lower rate than the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty(u8);

impl Dirty {
    /// Nothing changed.
    pub const NONE: Dirty = Dirty(0);
    /// New lines in a log pane on screen (and following).
    pub const LOGS: Dirty = Dirty(1);
    /// Anything else shown: keys, pods, router, probes, actions, feeds, the clock.
    pub const OTHER: Dirty = Dirty(2);

    /// True when every kind in `other` is set here.
    pub fn contains(self, other: Dirty) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when nothing changed.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Dirty {
    type Output = Dirty;
    fn bitor(self, rhs: Dirty) -> Dirty {
        Dirty(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Dirty {
    fn bitor_assign(&mut self, rhs: Dirty) {
        self.0 |= rhs.0;
    }
}
