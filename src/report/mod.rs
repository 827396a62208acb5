//! Renderers: every byte printed.
