//! Rules backed by schema validation (`crate::schema`): fields and values the API server rejects,
//! and kinds drlint has no schema for.

pub mod schema_unknown_kind;
pub mod schema_violation;
