//! Source text: the `SourceDb` owns every file drlint reads, and a `Span` names a byte range in one
//! of them. Line and column are computed on demand, so nodes stay small.

pub mod text;
pub mod yaml;

use std::path::{Path, PathBuf};

/// Index of a file in the `SourceDb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one file. Every YAML node carries one; values that a kustomize transformer
/// set carry the span of the kustomization line that set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end.max(start) as u32 }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both (same file assumed; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// 1-based line and column (column counted in Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

pub struct SourceFile {
    /// Path as the user should see it (relative to the current directory when possible).
    pub path: PathBuf,
    /// Absolute (or as-given) path used to read the file.
    pub real_path: PathBuf,
    /// The text (`text()`). Empty once released (`SourceDb::release_texts`) until it is asked for
    /// again, when it is read again from `real_path`.
    text: std::sync::OnceLock<String>,
    /// What reading a released file again must give: its length and content hash.
    released: Option<(usize, u64)>,
    /// Read from disk (`real_path`), so it can be released and read again.
    from_disk: bool,
    /// Read again and found changed since it was first read (`SourceDb::changed_since_read`).
    changed: std::sync::atomic::AtomicBool,
    /// The text shown in snippets: identical to `text` except that Secret values are masked.
    display: Option<String>,
    /// `display_text` of a file that changed since it was read.
    blank: std::sync::OnceLock<String>,
    /// Where each line starts, worked out when a location in the file is first asked for: most
    /// files have no finding, and their line tables were a megabyte on a large repository.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

/// The hash a released file's text is checked against when it is read again.
fn content_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    h.write(text.as_bytes());
    h.finish()
}

impl SourceFile {
    fn new(path: PathBuf, real_path: PathBuf, text: String, from_disk: bool) -> SourceFile {
        SourceFile {
            path,
            real_path,
            text: std::sync::OnceLock::from(text),
            released: None,
            from_disk,
            changed: std::sync::atomic::AtomicBool::new(false),
            display: None,
            blank: std::sync::OnceLock::new(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The file's text, read again if it was released.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| self.read_again())
    }

    /// A released file's text from disk. If it is no longer what was read first (edited during
    /// the run, or gone), the file is marked changed and what is there now is used, which the CLI
    /// warns of: locations in it may be off, and every slice of it is checked.
    fn read_again(&self) -> String {
        let now = read_text(&self.real_path).unwrap_or_default();
        if self.released != Some((now.len(), content_hash(&now))) {
            self.changed.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        now
    }

    /// Whether the file, read again after its release, was no longer what was first read.
    pub fn changed(&self) -> bool {
        self.changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Drop the text until it is asked for again (only for a file read from disk: `from_disk`).
    fn release(&mut self) {
        if let Some(text) = self.text.take() {
            self.released = Some((text.len(), content_hash(&text)));
        }
    }

    /// The text shown in snippets. A file that changed since it was read (`changed`) shows blank
    /// lines, as long as the text, line for line: its new content was never checked for Secrets.
    pub fn display_text(&self) -> &str {
        if let Some(masked) = &self.display {
            return masked;
        }
        let text = self.text();
        if !self.changed() {
            return text;
        }
        self.blank.get_or_init(|| text.chars().flat_map(|c| std::iter::repeat_n(if c == '\n' || c == '\r' { c } else { ' ' }, c.len_utf8())).collect())
    }

    /// Byte offsets of the line starts (files are under `MAX_FILE_BYTES`, so they fit in `u32`).
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| std::iter::once(0).chain(self.text().match_indices('\n').map(|(i, _)| i as u32 + 1)).collect())
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let text = self.text();
        let offset = offset.min(text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= offset).saturating_sub(1);
        let start = (starts[line] as usize).min(offset);
        let column = text.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start) + 1;
        LineCol { line: line + 1, column }
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts().get(line.saturating_sub(1)).map(|&s| s as usize).unwrap_or(self.text().len())
    }

    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self.line_starts().get(line).map(|&s| s as usize).unwrap_or(self.text().len());
        self.text().get(start..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// Replace the bytes of `spans` by `*` in the display text (Secret values never reach output).
    pub fn mask(&mut self, spans: &[(usize, usize)]) {
        if spans.is_empty() {
            return;
        }
        let mut bytes = self.display.take().unwrap_or_else(|| self.text().to_string()).into_bytes();
        for &(s, e) in spans {
            let e = e.min(bytes.len());
            for b in &mut bytes[s.min(e)..e] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b'*';
                }
            }
        }
        // Masking whole UTF-8 sequences byte by byte keeps valid UTF-8 only if every masked
        // range covers whole characters, which holds because ranges come from character boundaries.
        self.display = Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()));
    }
}

/// The only owner of file text. Files are read once and YAML files parsed once: every stage
/// (discovery, the kustomize renderer, entry points) asks the `SourceDb` for them. After indexing
/// the texts are released (`release_texts`), and a file is read again only to locate and show
/// its findings.
#[derive(Default)]
pub struct SourceDb {
    /// Paths with symlinks resolved (`canonical`), asked once per run: kustomize builds ask it
    /// of every file and folder they read, on several threads.
    canonical: std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>,
    /// What is at a path (`stat`), asked once per run for the same reason.
    stats: std::sync::Mutex<std::collections::HashMap<PathBuf, Stat>>,
    files: Vec<SourceFile>,
    parsed: Vec<Option<std::sync::Arc<yaml::ParsedFile>>>,
    by_path: std::collections::HashMap<PathBuf, FileId>,
    /// The heap the texts read ahead are allocated from (`load_texts`), kept until they are
    /// released: a deleted heap's pages go to the shared heap, which fills their free space with
    /// memory that stays.
    texts_heap: Option<crate::alloc::ScratchHeap>,
}

/// What is at a path (see `SourceDb::stat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Missing,
    File,
    Dir,
}

/// Files larger than this are not read (manifests are kilobytes; this is someone's data dump).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// `path` made absolute and lexically normalised (`.` and `..` removed, symlinks kept).
pub fn normalize(path: &Path) -> PathBuf {
    // drlint never changes its working folder, so it is asked once (a system call per path
    // showed in profiles: every lookup of a file normalises its path).
    static CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        CWD.get_or_init(|| std::env::current_dir().unwrap_or_default()).join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Read a file as text, refusing what is not a text manifest: too large, binary, not UTF-8.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.is_dir() {
        return Err("is a folder, not a file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("file is {} bytes, over the {} MiB limit; not read", meta.len(), MAX_FILE_BYTES / 1024 / 1024));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file (NUL bytes); not read".into());
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 (invalid byte at offset {}); not read", e.utf8_error().valid_up_to()))?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// The answer `cache` holds for `path`, or `ask`'s, remembered (a cache readers on several threads share).
fn remembered<T: Clone>(cache: &std::sync::Mutex<std::collections::HashMap<PathBuf, T>>, path: &Path, ask: impl FnOnce() -> T) -> T {
    let mut known = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = known.get(path) {
        return v.clone();
    }
    let v = ask();
    known.insert(path.to_path_buf(), v.clone());
    v
}

impl SourceDb {
    pub fn new() -> SourceDb {
        SourceDb::default()
    }

    pub fn add(&mut self, path: PathBuf, real_path: PathBuf, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.by_path.entry(normalize(&real_path)).or_insert(id);
        self.files.push(SourceFile::new(path, real_path, text, false));
        self.parsed.push(None);
        id
    }

    /// Read a file once (by its normalised path); later calls return the same id.
    /// The display path is relative to the current directory.
    pub fn load_text(&mut self, path: &Path) -> Result<FileId, String> {
        let key = normalize(path);
        if let Some(&id) = self.by_path.get(&key) {
            return Ok(id);
        }
        let text = read_text(path)?;
        Ok(self.add_read(&key, path, text))
    }

    /// A file read from `path` (normalised as `key`), shown relative to the current directory.
    fn add_read(&mut self, key: &Path, path: &Path, text: String) -> FileId {
        let id = self.add(crate::diag::relative_to_cwd(key), path.to_path_buf(), text);
        self.files[id.0 as usize].from_disk = true;
        id
    }

    /// `load_text` of several files, read on every core and added in the order given (the ids
    /// are those one `load_text` after another would give). A file that cannot be read is left
    /// out: `load_text` says why when asked for it.
    pub fn load_texts(&mut self, paths: &[&Path]) {
        use rayon::prelude::*;
        // In a heap of their own, so that releasing the texts (`release_texts`) frees whole pages.
        let heap = self.texts_heap.get_or_insert_with(crate::alloc::ScratchHeap::new);
        let texts: Vec<Option<String>> = paths.par_iter().map(|p| heap.run(|| read_text(p).ok())).collect();
        for (path, text) in paths.iter().zip(texts) {
            let key = normalize(path);
            if let Some(text) = text.filter(|_| !self.by_path.contains_key(&key)) {
                self.add_read(&key, path, text);
            }
        }
    }

    /// Read and parse a YAML file once; later calls return the cached parse.
    pub fn load_yaml(&mut self, path: &Path) -> Result<(FileId, std::sync::Arc<yaml::ParsedFile>), String> {
        let id = self.load_text(path)?;
        Ok((id, self.parsed(id)))
    }

    /// The parse of a file (parsed on first use).
    pub fn parsed(&mut self, id: FileId) -> std::sync::Arc<yaml::ParsedFile> {
        let i = id.0 as usize;
        if self.parsed[i].is_none() {
            self.parsed[i] = Some(std::sync::Arc::new(yaml::parse(id, self.files[i].text())));
        }
        self.parsed[i].clone().unwrap()
    }

    /// The parse of a file if it has been parsed (for readers that share the db across threads).
    pub fn parsed_ready(&self, id: FileId) -> Option<std::sync::Arc<yaml::ParsedFile>> {
        self.parsed[id.0 as usize].clone()
    }

    /// Store a parse made elsewhere (on another thread) as the file's cached parse.
    pub fn set_parsed(&mut self, id: FileId, parsed: yaml::ParsedFile) {
        self.parsed[id.0 as usize] = Some(std::sync::Arc::new(parsed));
    }

    /// `path` with symlinks resolved (lexically normalised when it does not exist), as the file
    /// system was when the run first asked.
    pub fn canonical(&self, path: &Path) -> PathBuf {
        remembered(&self.canonical, path, || std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path)))
    }

    /// What is at `path` (following symlinks), as the file system was when the run first asked.
    pub fn stat(&self, path: &Path) -> Stat {
        remembered(&self.stats, path, || match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Stat::Dir,
            Ok(_) => Stat::File,
            Err(_) => Stat::Missing,
        })
    }

    /// Let go of every cached parse (a later `parsed` parses again): the parses, handed out.
    pub fn take_parses(&mut self) -> Vec<std::sync::Arc<yaml::ParsedFile>> {
        self.parsed.iter_mut().filter_map(Option::take).collect()
    }

    /// The id of a file already read, by path.
    pub fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&normalize(path)).copied()
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Drop the text of every file read from disk except `keep`, once nothing reads them all: a
    /// file's text is read again if asked for (the files of the findings, when they are shown).
    /// webgrip's 4 MB of YAML: its peak resident memory went from 36.9 to 35.6 MiB (farm-bench
    /// medians; the texts share pages with other memory, so not all of it comes back).
    pub fn release_texts(&mut self, keep: &[FileId]) {
        use rayon::prelude::*;
        let keep: std::collections::HashSet<FileId> = keep.iter().copied().collect();
        self.files.par_iter_mut().enumerate().filter(|(i, f)| f.from_disk && !keep.contains(&FileId(*i as u32))).for_each(|(_, f)| f.release());
        // Kept texts stay valid: deleting a heap moves its live blocks' pages to the shared heap.
        self.texts_heap = None;
    }

    /// Files that changed on disk between their first reading and a later one.
    pub fn changed_since_read(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|f| f.changed())
    }

    pub fn line_col(&self, span: Span) -> (LineCol, LineCol) {
        let f = self.get(span.file);
        (f.line_col(span.start as usize), f.line_col(span.end as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(dir: &Path, name: &str, text: &str) -> (SourceDb, FileId) {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let mut db = SourceDb::new();
        let id = db.load_text(&path).unwrap();
        (db, id)
    }

    #[test]
    fn a_released_text_is_read_again_when_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, id) = db_with(dir.path(), "a.yaml", "kind: ConfigMap\nmetadata:\n  name: é\n");
        db.release_texts(&[]);
        assert_eq!(db.get(id).line_col(36), LineCol { line: 3, column: 10 });
        assert_eq!(db.get(id).text(), "kind: ConfigMap\nmetadata:\n  name: é\n");
        assert_eq!(db.changed_since_read().count(), 0);
    }

    #[test]
    fn kept_files_and_files_not_read_from_disk_keep_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, kept) = db_with(dir.path(), "run.sh", "velero restore create\n");
        let stdin = db.add(PathBuf::from("<stdin>"), PathBuf::from("-"), "kind: Secret\n".to_string());
        std::fs::remove_file(dir.path().join("run.sh")).unwrap();
        db.release_texts(&[kept]);
        assert_eq!(db.get(kept).text(), "velero restore create\n");
        assert_eq!(db.get(stdin).text(), "kind: Secret\n");
        assert_eq!(db.changed_since_read().count(), 0);
    }

    #[test]
    fn a_file_edited_after_its_release_is_reported_changed_and_read_safely() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, id) = db_with(dir.path(), "a.yaml", "a: 1\nb: 2\nc: 3\n");
        // A line table from before the release, now stale.
        assert_eq!(db.get(id).line_col(12).line, 3);
        db.release_texts(&[]);
        std::fs::write(dir.path().join("a.yaml"), "ü").unwrap();
        let f = db.get(id);
        assert_eq!(f.text(), "ü");
        assert_eq!(f.display_text(), "  ", "its new content is not shown: nothing masked it");
        assert_eq!(f.line_text(3), "");
        let _ = f.line_col(12);
        assert_eq!(db.changed_since_read().map(|f| f.path.clone()).collect::<Vec<_>>(), vec![f.path.clone()]);
    }

    #[test]
    fn a_file_deleted_after_its_release_reads_as_empty_and_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut db, id) = db_with(dir.path(), "a.yaml", "a: 1\n");
        db.release_texts(&[]);
        std::fs::remove_file(dir.path().join("a.yaml")).unwrap();
        assert_eq!(db.get(id).text(), "");
        assert_eq!(db.get(id).line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(db.changed_since_read().count(), 1);
    }
}
