//! Unit tests of the diff model and gate on hand-made snapshots.
