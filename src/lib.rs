//! whocan as a library: the binary is a thin shell over [`commands`].
//!
//! Arrows run one way: commands → engine / store / import / report; the engine
//! depends only on the model.

pub mod audit;
pub mod cli;
pub(crate) mod collect;
pub mod commands;
pub mod engine;
pub(crate) mod fsutil;
pub mod import;
pub mod model;
pub(crate) mod report;
pub mod store;
pub(crate) mod words;
