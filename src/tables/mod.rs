//! Statistics tables: from a [`Document`](crate::document::Document) to the report's cells.
//!
//! Two recognisers look at the document: [`structured`] reads real tables (cells with boundaries)
//! and [`flattened`] reads tables whose boundaries were lost in running text. Both produce
//! [`observation::Observation`]s; [`recover`] splits the digit runs of flattened rows where the form
//! allows exactly one reading; [`assemble`] turns them into cells keyed by the template.

pub mod assemble;
pub mod flattened;
pub mod observation;
pub mod recover;
pub mod structured;
