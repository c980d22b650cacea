//! Readers: one per input format, each lowering its input into a [`crate::document::Document`].

pub mod docx;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod text;
