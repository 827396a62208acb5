//! Shared request validation for query commands.
