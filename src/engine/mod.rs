//! The access engine: decides, exactly as Azure does (SPEC §2), who can do what at
//! which scope, and explains why.
//!
//! It is pure: data in ([`crate::model::Tenant`]), answers out (values with every
//! path that grants or blocks). It never sees rusqlite, never prints, never reads a
//! file, and never evaluates a condition (a conditional grant is reported as such).

pub mod activities;
pub mod decide;
pub(crate) mod graph;
pub(crate) mod incomplete;
pub(crate) mod index;
pub mod pattern;
pub(crate) mod permissions;
pub mod query;
pub(crate) mod scope;
pub(crate) mod walk;
pub(crate) mod window;

pub(crate) use decide::{Access, ActionReq};
pub use index::Index;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_trust;
