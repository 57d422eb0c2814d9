//! The files a kustomize build reads, from the run's `SourceDb`.
//!
//! A build either owns the db for its duration (it reads a file the first time it needs it, as
//! kustomize does) or shares it with builds running on other threads (`crate::gitops` builds many
//! entry points ahead, on every core). A shared build reads only files the run has already read;
//! when it needs anything more (a file not read yet, a placeholder file for an error), it is
//! *incomplete*: its result is dropped and the build runs again later, owning the db, at the same
//! point of the run as with one thread. File ids, and so the output, never depend on the threads.
//!
//! What a shared build would change in the db (masking a Secret's values in the text shown in
//! snippets) is recorded and applied when its result is used.

use crate::source::yaml::{self, ParsedFile};
use crate::source::{FileId, SourceDb, SourceFile};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Byte ranges of one file to mask (see `SourceFile::mask`).
pub type Mask = (FileId, Vec<(usize, usize)>);

pub enum Files<'a> {
    Own(&'a mut SourceDb),
    Shared(Shared<'a>),
}

pub struct Shared<'a> {
    db: &'a SourceDb,
    /// The build needed something only an owning build can do.
    pub incomplete: bool,
    pub masks: Vec<Mask>,
}

impl<'a> Files<'a> {
    pub fn shared(db: &'a SourceDb) -> Files<'a> {
        Files::Shared(Shared { db, incomplete: false, masks: Vec::new() })
    }

    /// The same files for a nested build; `absorb` takes its `record` back.
    pub fn reborrow(&mut self) -> Files<'_> {
        match self {
            Files::Own(db) => Files::Own(db),
            Files::Shared(s) => Files::shared(s.db),
        }
    }

    /// What a shared build recorded: whether it is incomplete, and its masks.
    pub fn record(self) -> Option<(bool, Vec<Mask>)> {
        match self {
            Files::Own(_) => None,
            Files::Shared(s) => Some((s.incomplete, s.masks)),
        }
    }

    /// Take a nested build's record (see `reborrow`).
    pub fn absorb(&mut self, record: Option<(bool, Vec<Mask>)>) {
        if let (Files::Shared(mine), Some((incomplete, masks))) = (self, record) {
            mine.incomplete |= incomplete;
            mine.masks.extend(masks);
        }
    }

    pub fn db(&self) -> &SourceDb {
        match self {
            Files::Own(db) => db,
            Files::Shared(s) => s.db,
        }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        self.db().get(id)
    }

    pub fn len(&self) -> usize {
        self.db().len()
    }

    /// A file's id, reading it if need be (see `SourceDb::load_text`).
    pub fn load_text(&mut self, path: &Path) -> Result<FileId, String> {
        match self {
            Files::Own(db) => db.load_text(path),
            Files::Shared(s) => s.db.lookup(path).ok_or_else(|| {
                s.incomplete = true;
                "not read yet".to_string()
            }),
        }
    }

    /// A file's parse. A shared build parses a file the run has not parsed for itself (the same
    /// parse an owning build would cache).
    pub fn parsed(&mut self, id: FileId) -> Arc<ParsedFile> {
        match self {
            Files::Own(db) => db.parsed(id),
            Files::Shared(s) => s.db.parsed_ready(id).unwrap_or_else(|| Arc::new(yaml::parse(id, s.db.get(id).text()))),
        }
    }

    pub fn load_yaml(&mut self, path: &Path) -> Result<(FileId, Arc<ParsedFile>), String> {
        let id = self.load_text(path)?;
        Ok((id, self.parsed(id)))
    }

    /// A file with no text (a folder to report at). Only an owning build adds files.
    pub fn add(&mut self, path: PathBuf, real_path: PathBuf) -> FileId {
        match self {
            Files::Own(db) => db.add(path, real_path, String::new()),
            Files::Shared(s) => {
                s.incomplete = true;
                FileId(0)
            }
        }
    }

    /// Mask byte ranges of a file's display text (Secret values).
    pub fn mask(&mut self, id: FileId, spans: &[(usize, usize)]) {
        match self {
            Files::Own(db) => db.get_mut(id).mask(spans),
            Files::Shared(s) => s.masks.push((id, spans.to_vec())),
        }
    }
}
