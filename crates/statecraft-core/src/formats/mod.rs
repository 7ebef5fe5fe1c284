//! Readers and writers for foreign formats (KTAB CSV/XML).

pub mod ktab;
pub mod xml_depth;
