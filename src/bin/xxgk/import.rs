//! `xxgk import`: walk files and folders, parse every file in parallel, store everything.
//!
//! Every input file ends as exactly one row of the `files` table: `ok`, `findings`, or `failed`
//! with the reason (unreadable, empty, too large, not a report, binary, a parser panic). Files whose
//! size and modification time are unchanged since the last import are not read again; files whose
//! content hash is unchanged are not parsed again. Results are committed in batches.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use xxgk::store::{content_hash, path_key, FileOutcome, FileRecord, Store};

/// Files committed per transaction.
const BATCH: usize = 128;
/// Parsed files waiting for the writer, per worker: enough to keep the writer busy while a
/// worker finishes its next file, few enough that reports in flight stay a few per worker.
const QUEUED_PER_WORKER: usize = 2;
/// Longest time results wait for their transaction.
const BATCH_TIME: Duration = Duration::from_secs(2);
/// How often progress is printed when stderr is not a terminal.
const PLAIN_PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// What `xxgk import` was asked to do.
pub struct ImportOptions {
    /// Files and folders to import.
    pub paths: Vec<PathBuf>,
    /// The database file.
    pub db: PathBuf,
    /// Worker threads (`None`: all cores).
    pub jobs: Option<usize>,
    /// Largest file parsed, in bytes.
    pub max_size: u64,
    /// Bytes of files being parsed at once, across workers: a large file waits until enough of
    /// this is free, so that memory stays bounded whatever the archive holds.
    pub memory: u64,
    /// Longest a file may take to parse; one that takes longer is recorded as failed.
    pub time_limit: Duration,
    /// Delete the rows of files that no longer exist instead of marking them `missing`.
    pub prune: bool,
    /// No progress output.
    pub quiet: bool,
}

/// What one run did.
#[derive(Debug, Default)]
pub struct RunStats {
    /// Files found by the walk (errors of the walk included).
    pub seen: usize,
    /// Files skipped because size and time had not changed.
    pub skipped: usize,
    /// Files read but with unchanged content.
    pub unchanged: usize,
    /// Files parsed (or failed) in this run.
    pub processed: usize,
    /// Files of this run recorded as failed.
    pub failed: usize,
    /// Files stored before that no longer exist (marked `missing`, or pruned).
    pub missing: usize,
    /// Bytes read in this run.
    pub bytes: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Parser memory per input byte that a file is assumed to need (a report's record, folded text and
/// items run to several times its size).
const MEMORY_PER_BYTE: u64 = 16;

struct Candidate {
    path: PathBuf,
    size: u64,
    mtime: Option<i64>,
    known_hash: Option<String>,
}

/// Why an import could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A path named on the command line does not exist (or cannot be read).
    #[error("{path}: {reason}")]
    Input {
        /// The path as given.
        path: String,
        /// Why it cannot be imported.
        reason: String,
    },
    /// The database could not be opened or written.
    #[error("{0:#}")]
    Store(anyhow::Error),
}

/// Runs an import.
pub fn run(options: &ImportOptions) -> Result<RunStats, ImportError> {
    let start = Instant::now();
    // Every named path must exist before anything is written: a mistyped path is an error, not a
    // row of its own.
    let mut roots = Vec::new();
    for path in &options.paths {
        match std::fs::canonicalize(path) {
            Ok(root) => roots.push(root),
            Err(err) => {
                let shown = path.display().to_string();
                let reason = if shown.contains(['*', '?', '[']) {
                    format!("{err} (a pattern in quotes is not expanded: let the shell expand it)")
                } else if shown == "-" {
                    "import reads files and folders, not standard input (use `xxgk parse -`)"
                        .to_string()
                } else {
                    err.to_string()
                };
                return Err(ImportError::Input {
                    path: shown,
                    reason,
                });
            }
        }
    }
    let store_error = |err: xxgk::store::StoreError| ImportError::Store(err.into());
    let mut store = Store::open(&options.db)
        .with_context(|| format!("cannot open the database {}", options.db.display()))
        .map_err(ImportError::Store)?;
    let known = store.known_files().map_err(store_error)?;
    let own_files = database_files(&options.db);

    let mut stats = RunStats::default();
    let mut walk_failures = Vec::new();
    let mut candidates = Vec::new();
    let mut seen_paths = HashSet::new();
    for root in &roots {
        for entry in walk(root) {
            match entry {
                Ok((path, metadata)) => {
                    if own_files.contains(&path) {
                        continue; // the database itself is not an input
                    }
                    let key = path_key(&path);
                    if !seen_paths.insert(key.clone()) {
                        continue; // named twice on the command line
                    }
                    stats.seen += 1;
                    let size = metadata.len();
                    let mtime = mtime_of(&metadata);
                    match known.get(&key) {
                        Some(k)
                            if k.size == size
                                && k.mtime == mtime
                                && mtime.is_some()
                                && k.hash.is_some()
                                && k.status != "missing" =>
                        {
                            stats.skipped += 1;
                        }
                        other => candidates.push(Candidate {
                            path,
                            size,
                            mtime,
                            // A file that comes back after it went missing is read again,
                            // so that its row says it is there.
                            known_hash: other
                                .filter(|k| k.status != "missing")
                                .and_then(|k| k.hash.clone()),
                        }),
                    }
                }
                Err((path, reason)) => {
                    stats.seen += 1;
                    seen_paths.insert(path_key(&path));
                    walk_failures.push(FileRecord {
                        path,
                        size: 0,
                        mtime: None,
                        hash: None,
                        outcome: FileOutcome::Failed {
                            format: None,
                            reason,
                        },
                    });
                }
            }
        }
    }
    if !walk_failures.is_empty() {
        store
            .write_batch(&walk_failures)
            .context("cannot write to the database; what was committed before stays")
            .map_err(ImportError::Store)?;
    }
    stats.processed += walk_failures.len();
    stats.failed += walk_failures.len();

    store.defer_indexes(candidates.len()).map_err(store_error)?;
    let progress = Progress::new(candidates.len() as u64, options.quiet);
    let pool = {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(jobs) = options.jobs {
            builder = builder.num_threads(jobs.max(1));
        }
        builder
            .build()
            .map_err(|e| ImportError::Store(anyhow::anyhow!("cannot start the workers: {e}")))?
    };
    let budget = MemoryBudget::new(options.memory.max(1));
    let limits = Limits {
        max_size: options.max_size,
        time_limit: options.time_limit,
        budget: &budget,
    };
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_LOCATION.with(|slot| *slot.borrow_mut() = Some(location));
    }));
    // A bounded channel from the workers to the one writer. When writing fails, the writer drops
    // the receiver: the workers' sends fail, and they stop taking files.
    let (sender, receiver) =
        mpsc::sync_channel::<FileRecord>(QUEUED_PER_WORKER * pool.current_num_threads());
    let written = std::thread::scope(|scope| -> anyhow::Result<(usize, usize, usize, u64)> {
        let limits = &limits;
        scope.spawn(move || {
            pool.install(|| {
                let _ = candidates
                    .into_par_iter()
                    .try_for_each_with(sender, |sender, candidate| {
                        sender.send(process(candidate, limits))
                    });
            });
        });
        let receiver = receiver;
        // Each record is written as it arrives, into a transaction committed every `BATCH`
        // files or `BATCH_TIME`: the workers go on parsing while the writer writes, and a
        // record waits for the writer, not for its batch.
        let mut in_batch = 0usize;
        let mut last_commit = Instant::now();
        let (mut processed, mut failed, mut unchanged, mut bytes) = (0usize, 0usize, 0usize, 0u64);
        let writing = "cannot write to the database; what was committed before stays";
        loop {
            let received = receiver.recv_timeout(Duration::from_millis(200));
            let done = matches!(received, Err(mpsc::RecvTimeoutError::Disconnected));
            if let Ok(record) = received {
                bytes += record.size;
                match record.outcome {
                    FileOutcome::Unchanged => unchanged += 1,
                    FileOutcome::Failed { .. } => {
                        processed += 1;
                        failed += 1;
                    }
                    FileOutcome::Parsed { .. } => processed += 1,
                }
                progress.advance(record.size);
                // On failure `receiver` goes with this scope's closure, and the workers stop.
                store.write(&record).context(writing)?;
                in_batch += 1;
            }
            if in_batch >= BATCH || (in_batch > 0 && (done || last_commit.elapsed() >= BATCH_TIME))
            {
                store.commit().context(writing)?;
                in_batch = 0;
                last_commit = Instant::now();
            }
            if done {
                break;
            }
        }
        Ok((processed, failed, unchanged, bytes))
    });
    std::panic::set_hook(previous_hook);
    progress.finish();
    let (processed, failed, unchanged, bytes) = written.map_err(ImportError::Store)?;
    stats.processed += processed;
    stats.failed += failed;
    stats.unchanged = unchanged;
    stats.bytes = bytes;
    store.build_indexes().map_err(store_error)?;
    let root_keys: Vec<Vec<u8>> = roots.iter().map(|r| path_key(r)).collect();
    stats.missing = store
        .mark_missing(&root_keys, &seen_paths, options.prune)
        .map_err(store_error)?;
    // A run that changed no file's row (everything skipped or unchanged) leaves reports and
    // their pairs as they were: nothing to clean up or check again.
    if stats.processed > 0 || stats.missing > 0 {
        store.remove_orphans().map_err(store_error)?;
        store.group_copies().map_err(store_error)?;
        store.cross_check().map_err(store_error)?;
    }
    stats.elapsed = start.elapsed();
    Ok(stats)
}

/// What a worker may spend on one file.
struct Limits<'a> {
    max_size: u64,
    time_limit: Duration,
    budget: &'a MemoryBudget,
}

/// Memory set aside for files being parsed: a file takes its share before it is read and gives it
/// back when parsed, so that a few large files are not parsed side by side.
struct MemoryBudget {
    free: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
    total: u64,
}

impl MemoryBudget {
    fn new(total: u64) -> MemoryBudget {
        MemoryBudget {
            free: std::sync::Mutex::new(total),
            freed: std::sync::Condvar::new(),
            total,
        }
    }

    /// Waits until `amount` (at most the whole budget) is free, and takes it.
    fn take(&self, amount: u64) -> Share<'_> {
        let amount = amount.min(self.total);
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free < amount {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= amount;
        Share {
            budget: self,
            amount,
        }
    }
}

/// A share of the memory budget, given back when dropped.
struct Share<'a> {
    budget: &'a MemoryBudget,
    amount: u64,
}

impl Drop for Share<'_> {
    fn drop(&mut self) {
        let mut free = self
            .budget
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *free += self.amount;
        self.budget.freed.notify_all();
    }
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Reads, hashes and parses one file; never panics (a parser panic becomes a failure).
fn process(candidate: Candidate, limits: &Limits<'_>) -> FileRecord {
    let mut record = FileRecord {
        path: candidate.path,
        size: candidate.size,
        mtime: candidate.mtime,
        hash: None,
        outcome: FileOutcome::Unchanged,
    };
    let failed = |format: Option<&str>, reason: String| FileOutcome::Failed {
        format: format.map(str::to_string),
        reason,
    };
    let max_size = limits.max_size;
    if candidate.size > max_size {
        record.outcome = failed(
            None,
            format!(
                "too large: {} bytes, over the limit of {max_size}",
                candidate.size
            ),
        );
        return record;
    }
    let _share = limits
        .budget
        .take(candidate.size.saturating_mul(MEMORY_PER_BYTE));
    // Read at most one byte more than the limit: a file that grew meanwhile is refused, not read
    // whole.
    let bytes = match read_file_limited(&record.path, max_size) {
        Ok(bytes) => bytes,
        Err(err) => {
            record.outcome = failed(None, format!("cannot be read: {err}"));
            return record;
        }
    };
    if bytes.len() as u64 > max_size {
        record.outcome = failed(
            None,
            format!("too large: over the limit of {max_size} bytes"),
        );
        return record;
    }
    record.size = bytes.len() as u64;
    let hash = content_hash(&bytes);
    if candidate.known_hash.as_deref() == Some(hash.as_str()) {
        record.hash = Some(hash);
        return record;
    }
    record.hash = Some(hash);
    let name = record
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let parser = xxgk::Parser::new()
        .max_size(max_size)
        .time_limit(limits.time_limit);
    let parser = match name {
        Some(name) => parser.file_name(name),
        None => parser,
    };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        panic_if_asked(&bytes);
        parser.parse(&bytes)
    }));
    let label = || xxgk::format_label(&bytes);
    record.outcome = match result {
        Ok(Ok(report)) => match FileOutcome::parsed(report) {
            Ok(parsed) => parsed,
            Err(err) => failed(Some(label()), err.to_string()),
        },
        Ok(Err(err)) => failed(Some(label()), err.to_string()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let location = PANIC_LOCATION
                .with(|slot| slot.borrow_mut().take())
                .unwrap_or_default();
            failed(
                Some(label()),
                format!("the parser panicked{location}: {message} (please report this file)"),
            )
        }
    };
    record
}

/// Reads a file, but no more than `limit + 1` bytes of it.
fn read_file_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().ok().map(|m| m.len());
    crate::read_limited(file, limit, size)
}

/// Test builds only: panics on a file containing `$XXGK_TEST_PANIC_MARKER`, so that the tests can
/// show a parser panic is caught, recorded and survived. Release builds compile it to nothing.
fn panic_if_asked(bytes: &[u8]) {
    #[cfg(debug_assertions)]
    if let Ok(marker) = std::env::var("XXGK_TEST_PANIC_MARKER") {
        if !marker.is_empty() && bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            panic!("a panic the tests asked for");
        }
    }
    let _ = bytes;
}

type WalkItem = Result<(PathBuf, std::fs::Metadata), (PathBuf, String)>;

/// Every file under `root` (or `root` itself), with walk errors as items of their own.
fn walk(root: &Path) -> Box<dyn Iterator<Item = WalkItem> + '_> {
    match std::fs::metadata(root) {
        Ok(metadata) if metadata.is_file() => {
            Box::new(std::iter::once(Ok((root.to_path_buf(), metadata))))
        }
        Ok(_) => Box::new(
            walkdir::WalkDir::new(root)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|entry| match entry {
                    Ok(entry) if entry.file_type().is_dir() => None,
                    Ok(entry) => match entry.metadata() {
                        Ok(metadata) if metadata.is_file() => {
                            Some(Ok((entry.into_path(), metadata)))
                        }
                        Ok(_) => Some(Err((entry.into_path(), "not a regular file".to_string()))),
                        Err(err) => {
                            Some(Err((entry.into_path(), format!("cannot be read: {err}"))))
                        }
                    },
                    Err(err) => {
                        let path = err
                            .path()
                            .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                        Some(Err((path, format!("cannot be read: {err}"))))
                    }
                }),
        ),
        Err(err) => Box::new(std::iter::once(Err((
            root.to_path_buf(),
            format!("cannot be read: {err}"),
        )))),
    }
}

fn mtime_of(metadata: &std::fs::Metadata) -> Option<i64> {
    let modified = metadata.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since.as_nanos().min(i64::MAX as u128) as i64)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A path made absolute without resolving it (for a database that does not exist yet).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The database file and its WAL companions, which an import of its own folder must skip.
fn database_files(db: &Path) -> HashSet<PathBuf> {
    let base = match std::fs::canonicalize(db) {
        Ok(path) => path,
        Err(_) => canonical(db.parent().unwrap_or(Path::new(".")))
            .join(db.file_name().unwrap_or_default()),
    };
    let _ = absolute;
    let mut files = HashSet::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = base.clone().into_os_string();
        name.push(suffix);
        files.insert(PathBuf::from(name));
    }
    files
}

/// A progress bar on a terminal, plain periodic lines otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: std::cell::Cell<u64>,
    bytes: std::cell::Cell<u64>,
    start: Instant,
    last_line: std::cell::Cell<Instant>,
    quiet: bool,
}

impl Progress {
    fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files ({per_sec}, {msg}) ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: std::cell::Cell::new(0),
            bytes: std::cell::Cell::new(0),
            start: Instant::now(),
            last_line: std::cell::Cell::new(Instant::now()),
            quiet,
        }
    }

    fn advance(&self, bytes: u64) {
        self.done.set(self.done.get() + 1);
        self.bytes.set(self.bytes.get() + bytes);
        let seconds = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = self.bytes.get() as f64 / seconds / 1e6;
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{rate:.1} MB/s"));
                bar.inc(1);
            }
            None if !self.quiet && self.last_line.get().elapsed() >= PLAIN_PROGRESS_EVERY => {
                self.last_line.set(Instant::now());
                let done = self.done.get();
                let per_second = done as f64 / seconds;
                let eta = (self.total.saturating_sub(done)) as f64 / per_second.max(1e-9);
                eprintln!(
                    "xxgk: {done}/{} files ({per_second:.0} files/s, {rate:.1} MB/s), ETA {eta:.0}s",
                    self.total
                );
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Counts for the end-of-import summary, read from the whole database.
pub fn print_summary(
    db: &Path,
    stats: &RunStats,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let conn = store.connection();
    let pairs = |sql: &str| -> anyhow::Result<Vec<(String, i64)>> {
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "-".into()),
                r.get(1)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let join = |rows: &[(String, i64)]| {
        rows.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let total: i64 = conn.query_row("SELECT count(*) FROM files", [], |r| r.get(0))?;
    writeln!(
        out,
        "files:       {total} in the database — {}",
        join(&pairs(
            "SELECT status, count(*) FROM files GROUP BY status ORDER BY status"
        )?)
    )?;
    writeln!(
        out,
        "  by format: {}",
        join(&pairs(
            "SELECT format, count(*) FROM files GROUP BY format ORDER BY count(*) DESC"
        )?)
    )?;
    let failures = pairs("SELECT reason, count(*) FROM files WHERE status = 'failed' GROUP BY reason ORDER BY count(*) DESC LIMIT 5")?;
    for (reason, n) in &failures {
        writeln!(out, "  failed ×{n}: {}", shorten(reason, 160))?;
    }
    if stats.missing > 0 {
        writeln!(
            out,
            "  {} files stored before no longer exist: marked missing (or pruned with --prune)",
            stats.missing
        )?;
    }
    let reports: i64 = conn.query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?;
    writeln!(
        out,
        "reports:     {reports} distinct — by template: {}",
        join(&pairs(
            "SELECT template, count(*) FROM reports GROUP BY template ORDER BY template"
        )?)
    )?;
    writeln!(
        out,
        "  by year:   {}",
        join(&pairs(
            "SELECT CAST(year AS TEXT), count(*) FROM reports GROUP BY year ORDER BY year"
        )?)
    )?;
    let (copies, groups, disagreeing): (i64, i64, i64) = conn.query_row(
        "SELECT count(*), count(DISTINCT copy_of),
                (SELECT count(DISTINCT report_id) FROM findings WHERE rule = 'X3')
         FROM reports WHERE copy_of IS NOT NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if copies > 0 {
        writeln!(
            out,
            "  copies:    {copies} reports are further copies of {groups} (same agency, year and cells; left out of the panel exports); {disagreeing} disagree on a cell (X3)"
        )?;
    }
    let failing = pairs(
        "SELECT rule, count(DISTINCT report_id) FROM findings WHERE severity = 'error' OR (rule = 'X2' AND severity = 'warning') GROUP BY rule ORDER BY count(DISTINCT report_id) DESC, rule LIMIT 8",
    )?;
    writeln!(
        out,
        "rules failing most (reports): {}",
        if failing.is_empty() {
            "none".into()
        } else {
            join(&failing)
        }
    )?;
    let seconds = stats.elapsed.as_secs_f64().max(1e-6);
    writeln!(
        out,
        "this run:    {} files seen, {} parsed, {} unchanged, {} skipped unchanged; {:.1}s, {:.0} files/s, {:.1} MB/s",
        stats.seen,
        stats.processed,
        stats.unchanged,
        stats.skipped,
        seconds,
        (stats.processed + stats.unchanged) as f64 / seconds,
        stats.bytes as f64 / seconds / 1e6
    )?;
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| {
            let mut name = db.as_os_str().to_owned();
            name.push(s);
            std::fs::metadata(PathBuf::from(name)).ok()
        })
        .map(|m| m.len())
        .sum();
    writeln!(
        out,
        "database:    {} ({:.1} MB)",
        db.display(),
        size as f64 / 1e6
    )?;
    Ok(())
}

/// A text cut to about `limit` characters at a word or clause boundary, with `…` when cut.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let head: String = text.chars().take(limit).collect();
    let cut = head
        .rfind([' ', ',', ';', ':', '，', '；', '：', '、', ')'])
        .filter(|&i| i > head.len() / 2)
        .unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end())
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn reasons_are_shortened_at_a_boundary() {
        let reason = "the input is not a government information disclosure annual report: no section heading, statistics table or report title was found";
        let short = shorten(reason, 60);
        assert!(short.ends_with('…'));
        assert!(reason.starts_with(short.trim_end_matches('…')));
        assert!(
            reason[short.len() - '…'.len_utf8()..].starts_with([' ', ':', ',']),
            "{short}"
        );
        assert_eq!(shorten("short", 60), "short");
    }
}
