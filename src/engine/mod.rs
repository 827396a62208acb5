//! The access engine: decides, exactly as Azure does (SPEC §2), who can do what at
//! which scope, and explains why.
//!
//! It is pure: data in ([`crate::model::Tenant`]), answers out (values with every
//! path that grants or blocks). It never sees rusqlite, never prints, never reads a
//! file, and never evaluates a condition (a conditional grant is reported as such).

pub mod activities;
pub(crate) mod anywhere;
pub mod decide;
pub mod escalate;
pub(crate) mod graph;
pub(crate) mod incomplete;
pub(crate) mod index;
pub(crate) mod members;
pub mod pattern;
pub(crate) mod permissions;
pub(crate) mod profile;
pub mod query;
pub(crate) mod role_card;
pub(crate) mod scope;
pub(crate) mod walk;
pub(crate) mod window;
pub(crate) mod workspaces;

pub(crate) use decide::{Access, ActionReq};
pub use index::Index;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod tests_escalate;
#[cfg(test)]
mod tests_trust;
