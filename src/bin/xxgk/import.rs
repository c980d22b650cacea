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
use xxgk::store::{content_hash, FileOutcome, FileRecord, KnownFile, Store};

/// Files committed per transaction.
const BATCH: usize = 256;
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
    /// Bytes read in this run.
    pub bytes: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

struct Candidate {
    path: String,
    size: u64,
    mtime: Option<i64>,
    known_hash: Option<String>,
}

/// Runs an import.
pub fn run(options: &ImportOptions) -> anyhow::Result<RunStats> {
    let start = Instant::now();
    let mut store = Store::open(&options.db)
        .with_context(|| format!("cannot open the database {}", options.db.display()))?;
    let known = store.known_files()?;
    let own_files = database_files(&options.db);

    let mut stats = RunStats::default();
    let mut walk_failures = Vec::new();
    let mut candidates = Vec::new();
    let mut seen_paths = HashSet::new();
    for root in &options.paths {
        for entry in walk(root) {
            match entry {
                Ok((path, metadata)) => {
                    if own_files.contains(&canonical(&path)) {
                        continue; // the database itself is not an input
                    }
                    let path_text = path.to_string_lossy().into_owned();
                    if !seen_paths.insert(path_text.clone()) {
                        continue; // named twice on the command line
                    }
                    stats.seen += 1;
                    let size = metadata.len();
                    let mtime = mtime_of(&metadata);
                    match known.get(&path_text) {
                        Some(KnownFile {
                            size: s,
                            mtime: m,
                            hash: Some(_),
                        }) if *s == size && *m == mtime && mtime.is_some() => {
                            stats.skipped += 1;
                        }
                        other => candidates.push(Candidate {
                            path: path_text,
                            size,
                            mtime,
                            known_hash: other.and_then(|k| k.hash.clone()),
                        }),
                    }
                }
                Err((path, reason)) => {
                    stats.seen += 1;
                    walk_failures.push(FileRecord {
                        path: path.to_string_lossy().into_owned(),
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
    store.write_batch(&walk_failures)?;
    stats.processed += walk_failures.len();

    let progress = Progress::new(candidates.len() as u64);
    let pool = {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(jobs) = options.jobs {
            builder = builder.num_threads(jobs.max(1));
        }
        builder.build()?
    };
    let max_size = options.max_size;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_LOCATION.with(|slot| *slot.borrow_mut() = Some(location));
    }));
    let (sender, receiver) = mpsc::sync_channel::<FileRecord>(BATCH);
    let written = std::thread::scope(|scope| -> anyhow::Result<(usize, usize, u64)> {
        scope.spawn(move || {
            pool.install(|| {
                candidates
                    .into_par_iter()
                    .for_each_with(sender, |sender, candidate| {
                        let _ = sender.send(process(candidate, max_size));
                    });
            });
        });
        let mut batch = Vec::with_capacity(BATCH);
        let mut last_commit = Instant::now();
        let (mut processed, mut unchanged, mut bytes) = (0usize, 0usize, 0u64);
        loop {
            let received = receiver.recv_timeout(Duration::from_millis(200));
            let done = matches!(received, Err(mpsc::RecvTimeoutError::Disconnected));
            if let Ok(record) = received {
                bytes += record.size;
                if matches!(record.outcome, FileOutcome::Unchanged) {
                    unchanged += 1;
                } else {
                    processed += 1;
                }
                progress.advance(record.size);
                batch.push(record);
            }
            if batch.len() >= BATCH
                || (!batch.is_empty() && (done || last_commit.elapsed() >= BATCH_TIME))
            {
                store.write_batch(&batch)?;
                batch.clear();
                last_commit = Instant::now();
            }
            if done {
                break;
            }
        }
        Ok((processed, unchanged, bytes))
    });
    std::panic::set_hook(previous_hook);
    let (processed, unchanged, bytes) = written?;
    progress.finish();
    stats.processed += processed;
    stats.unchanged = unchanged;
    stats.bytes = bytes;
    store.remove_orphans()?;
    store.cross_check()?;
    stats.elapsed = start.elapsed();
    Ok(stats)
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Reads, hashes and parses one file; never panics (a parser panic becomes a failure).
fn process(candidate: Candidate, max_size: u64) -> FileRecord {
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
    let bytes = match std::fs::read(&record.path) {
        Ok(bytes) => bytes,
        Err(err) => {
            record.outcome = failed(None, format!("cannot be read: {err}"));
            return record;
        }
    };
    record.size = bytes.len() as u64;
    let hash = content_hash(&bytes);
    if candidate.known_hash.as_deref() == Some(hash.as_str()) {
        record.hash = Some(hash);
        return record;
    }
    record.hash = Some(hash);
    let name = Path::new(&record.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let parser = xxgk::Parser::new().max_size(max_size);
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
        Ok(Ok(report)) => FileOutcome::Parsed(Box::new(report)),
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

/// The database file and its WAL companions, which an import of its own folder must skip.
fn database_files(db: &Path) -> HashSet<PathBuf> {
    let base = canonical(db);
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
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
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
            None if self.last_line.get().elapsed() >= PLAIN_PROGRESS_EVERY => {
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
        let reason: String = reason.chars().take(100).collect();
        writeln!(out, "  failed ×{n}: {reason}")?;
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
    let failing = pairs(
        "SELECT rule, count(DISTINCT report_id) FROM findings WHERE severity = 'error' GROUP BY rule ORDER BY count(DISTINCT report_id) DESC, rule LIMIT 8",
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
