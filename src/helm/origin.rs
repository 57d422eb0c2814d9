//! Where a values entry was written (issue 16, provenance): the file and byte ranges of its key and
//! value, kept on the dict that holds it so a rendered value can point at the values line that set
//! it (the deployer's values first, else the chart's `values.yaml`), not only at the template line
//! that printed it.
//!
//! Origins ride along with values through coalescing (the winning layer's origin stays), `with`,
//! `range` over dicts and `toYaml`; a value a template changes (`set`, `mergeOverwrite`) may keep a
//! stale origin, which is why every use compares the rendered scalar with the text the origin's
//! values line holds (`Place::scalar`) before trusting it.

use crate::source::FileId;
use std::path::PathBuf;
use std::rc::Rc;

/// The file an origin is in.
#[derive(Clone, Debug, PartialEq)]
pub enum OriginFile {
    /// A file of the caller's source database (values the deployer gives, read with spans).
    Db(FileId),
    /// A chart file on disk (its `values.yaml`), read by the engine itself.
    Path(Rc<PathBuf>),
}

/// A byte range in the origin's file and, for a scalar, its text as the YAML reader read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub start: u32,
    pub end: u32,
    pub scalar: Option<Rc<str>>,
}

/// One `key: value` entry of a values mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryOrigin {
    pub file: OriginFile,
    pub key: Place,
    pub value: Place,
    /// When the value is a sequence: each item (items that are mappings also carry their own
    /// entries' origins).
    pub items: Rc<[Place]>,
}

impl Place {
    pub fn of(n: &crate::source::yaml::Node) -> Place {
        Place { start: n.span.start, end: n.span.end, scalar: n.as_str().map(Rc::from) }
    }
}

impl EntryOrigin {
    pub fn new(file: &OriginFile, key: &crate::source::yaml::Node, value: &crate::source::yaml::Node) -> EntryOrigin {
        EntryOrigin { file: file.clone(), key: Place::of(key), value: Place::of(value), items: value.items().map(Place::of).collect() }
    }
}
