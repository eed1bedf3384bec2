//! The command bus: the only place that talks to the world.
