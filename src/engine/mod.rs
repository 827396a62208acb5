//! The access engine (pure).
