//! Statistics tables: from a [`Document`](crate::document::Document) to the report's cells.
//!
//! Two recognisers look at the document: [`structured`] reads real tables (HTML and Word cells
//! with their spans) and [`text`] reads tables rendered as text, whatever the separators. Both
//! produce [`observation::Observation`]s; [`recover`] splits the digit runs of rows whose cell
//! boundaries were lost where the form allows exactly one reading; [`placement`] decides which
//! value goes into which cell; [`assemble`] turns them into cells keyed by the template.

pub mod assemble;
mod form_order;
pub mod observation;
pub mod placement;
pub mod recover;
pub mod structured;
pub mod text;
