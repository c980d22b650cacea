//! The error returned when there is no report to return at all.
//!
//! Problems *inside* a report (a failed 勾稽 rule, a missing section, an ambiguous cell) are
//! [`Finding`](crate::Finding)s on the [`Report`](crate::Report), never errors. An [`Error`] means the
//! input could not be read as a report: it is empty, binary, in a container we refuse, or simply not
//! a 政府信息公开工作年度报告.

use std::fmt;

/// A convenient alias for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// An error that stops a report from being produced.
///
/// The kind is boxed to keep `Result<Report, Error>` small, in the manner of the `csv` crate.
#[derive(Debug)]
pub struct Error(Box<ErrorKind>);

impl Error {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    /// The specific kind of this error.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input holds no bytes, or only whitespace.
    #[error("the input is empty")]
    Empty,
    /// The input is larger than the configured limit.
    #[error("the input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: u64,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The input is a binary file of a kind this crate does not read.
    #[error("the input is binary data ({what}), not a report")]
    Binary {
        /// A short description of what the bytes look like.
        what: String,
    },
    /// The input is in a format this crate recognises but refuses, with advice on converting it.
    #[error("{format} is not supported: {advice}")]
    Unsupported {
        /// The detected format, e.g. "Word 97-2003 (.doc, OLE compound file)".
        format: String,
        /// How to convert it into something readable.
        advice: String,
    },
    /// A container (such as a DOCX zip) is damaged or hostile.
    #[error("the {format} container cannot be read: {reason}")]
    Container {
        /// The container format.
        format: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The input decodes to text, but nothing in it looks like an annual disclosure report.
    #[error("the input is not a government information disclosure annual report: {reason}")]
    NotAReport {
        /// Why the text was not accepted.
        reason: String,
    },
    /// Parsing took longer than the time the caller allowed ([`crate::Parser::time_limit`]).
    #[error("parsing took longer than the limit of {limit_ms} ms")]
    TimedOut {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
    /// Reading the input failed.
    #[error("I/O error: {0}")]
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind().fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind() {
            ErrorKind::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::new(ErrorKind::Io(err))
    }
}
