//! Readers: one per input format, each lowering its input into a [`crate::document::Document`].

pub mod markdown;
pub mod text;
