//! The SQLite store of bulk imports: every file accounted for, every report queryable.
//!
//! One row per input file (`files`: path, size, content hash, format, encoding, status, reason;
//! the path kept exactly as the system gives it, whatever bytes it holds),
//! one row per distinct report content (`reports`, keyed by the content hash, so identical files
//! share a report), and the report's `sections`, `cells` (long format: one row per cell) and
//! `findings`. Writes are batched in transactions in WAL mode: a file's row and its report are
//! committed together, so an import killed at any point leaves a consistent database that the
//! next run completes. The schema is documented in the README.

mod cell_row;
mod record;

use crate::report::{Report, Severity};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Version of the database schema (`meta.schema_version`).
pub const SCHEMA_VERSION: i64 = 9;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored record could not be written or read back.
    #[error("a stored record is damaged: {0}")]
    Record(String),
    /// The database was made by an incompatible version of xxgk.
    #[error("the database has schema version {found}, this xxgk writes version {expected}")]
    Schema {
        /// The version found.
        found: i64,
        /// The version this build writes.
        expected: i64,
    },
}

/// A result of the store.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
    id             INTEGER PRIMARY KEY,
    hash           TEXT NOT NULL UNIQUE,
    template       TEXT NOT NULL,
    year           INTEGER,
    agency         TEXT,
    title          TEXT,
    format         TEXT NOT NULL,
    encoding       TEXT NOT NULL,
    period_start   TEXT,
    period_end     TEXT,
    format_notice  TEXT,
    notices        TEXT,
    website        TEXT,
    address        TEXT,
    postcode       TEXT,
    phone          TEXT,
    email          TEXT,
    publisher      TEXT,
    published      TEXT,
    source_url     TEXT,
    preamble       TEXT,
    cells_found    INTEGER NOT NULL,
    cells_expected INTEGER NOT NULL,
    checks_passed  INTEGER NOT NULL,
    checks_failed  INTEGER NOT NULL,
    checks_not_assessable INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    warnings       INTEGER NOT NULL,
    agency_key     TEXT,
    copy_of        INTEGER REFERENCES reports(id) ON DELETE SET NULL
);
CREATE TABLE IF NOT EXISTS files (
    id          INTEGER PRIMARY KEY,
    path_key    BLOB NOT NULL UNIQUE,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime       INTEGER,
    hash        TEXT,
    format      TEXT,
    encoding    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('ok', 'findings', 'failed', 'missing')),
    reason      TEXT,
    report_id   INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    number    INTEGER,
    title     TEXT NOT NULL,
    text      TEXT NOT NULL,
    UNIQUE (report_id, position)
);
CREATE TABLE IF NOT EXISTS cell_keys (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL UNIQUE,
    unit TEXT
);
CREATE TABLE IF NOT EXISTS cell_values (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key_id       INTEGER NOT NULL REFERENCES cell_keys(id),
    position     INTEGER NOT NULL,
    status_code  INTEGER NOT NULL,
    value        NUMERIC,
    value_text   TEXT,
    raw          TEXT,
    line         INTEGER,
    col          INTEGER,
    byte         INTEGER,
    grid_table   INTEGER,
    grid_row     INTEGER,
    grid_cell    INTEGER,
    PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cell_details (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key_id       INTEGER NOT NULL REFERENCES cell_keys(id),
    unit         TEXT,
    candidates   TEXT,
    page         INTEGER,
    box          TEXT,
    row_label    TEXT,
    column_label TEXT,
    PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS cells AS
    SELECT v.report_id, k.key, v.position,
           CASE WHEN k.key LIKE 'extra.%'
                THEN substr(k.key, 7, instr(substr(k.key, 7), '.') - 1)
                ELSE substr(k.key, 1, instr(k.key, '.') - 1) END AS tbl,
           CASE v.status_code & 7 WHEN 0 THEN 'number' WHEN 1 THEN 'blank'
                WHEN 2 THEN 'placeholder' WHEN 3 THEN 'ambiguous' WHEN 4 THEN 'unreadable'
                ELSE 'missing' END AS status,
           CAST(v.value AS REAL) AS value,
           coalesce(v.value_text, CAST(CAST(v.value AS INTEGER) AS TEXT)) AS value_text,
           CASE WHEN v.status_code & 8
                THEN coalesce(v.value_text, CAST(CAST(v.value AS INTEGER) AS TEXT))
                ELSE v.raw END AS raw,
           coalesce(d.unit, k.unit) AS unit, v.line, v.col, d.candidates,
           CASE v.status_code & 96 WHEN 32 THEN 'form' WHEN 64 THEN 'narrative' END AS evidence,
           d.page, d.box, v.byte, v.grid_table, v.grid_row, v.grid_cell, d.row_label,
           d.column_label
    FROM cell_values v JOIN cell_keys k ON k.id = v.key_id
    LEFT JOIN cell_details d ON d.report_id = v.report_id AND d.key_id = v.key_id;
CREATE TABLE IF NOT EXISTS narrative (
    report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    keys       TEXT NOT NULL,
    value      REAL,
    value_text TEXT NOT NULL,
    text       TEXT NOT NULL,
    sentence   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    line       INTEGER,
    col        INTEGER,
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS findings (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    source    TEXT NOT NULL DEFAULT 'parse',
    position  INTEGER NOT NULL,
    rule      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    message   TEXT NOT NULL,
    cells     TEXT NOT NULL,
    line      INTEGER,
    PRIMARY KEY (report_id, source, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS indicators (
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    value       REAL,
    numerator   TEXT,
    denominator TEXT,
    note        TEXT,
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS report_indicators AS
    SELECT report_id,
           max(CASE WHEN name = 'disclosure_rate' THEN value END) AS disclosure_rate,
           max(CASE WHEN name = 'refusal_rate' THEN value END) AS refusal_rate,
           max(CASE WHEN name = 'unavailable_rate' THEN value END) AS unavailable_rate,
           max(CASE WHEN name = 'backlog' THEN value END) AS backlog,
           max(CASE WHEN name = 'review_correction_rate' THEN value END) AS review_correction_rate,
           max(CASE WHEN name = 'litigation_correction_rate' THEN value END) AS litigation_correction_rate
    FROM indicators GROUP BY report_id;
CREATE TABLE IF NOT EXISTS records (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    json      BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_groups (
    agency_key TEXT NOT NULL,
    year       INTEGER NOT NULL,
    PRIMARY KEY (agency_key, year)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reports_year ON reports(year);
CREATE INDEX IF NOT EXISTS reports_agency_key_year ON reports(agency_key, year);
CREATE INDEX IF NOT EXISTS reports_copy_of ON reports(copy_of);
CREATE INDEX IF NOT EXISTS reports_template ON reports(template);
CREATE INDEX IF NOT EXISTS files_status ON files(status);
CREATE INDEX IF NOT EXISTS files_report ON files(report_id);
"#;

/// The indexes over every cell and finding row, by key and by rule. A bulk import drops them
/// and builds them again at the end ([`Store::defer_indexes`]): one sort instead of a seek per
/// row. Opening a database builds them when missing (an import that stopped half-way).
const ROW_INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS cell_values_key ON cell_values(key_id);
CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule, severity);
"#;

/// Migrates a version 1 database: paths become byte keys with a display form, files may be
/// `missing`, and the findings table puts its key columns first.
const MIGRATE_1_TO_2: &str = r#"
CREATE TABLE files_v2 (
    id          INTEGER PRIMARY KEY,
    path_key    BLOB NOT NULL UNIQUE,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime       INTEGER,
    hash        TEXT,
    format      TEXT,
    encoding    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('ok', 'findings', 'failed', 'missing')),
    reason      TEXT,
    report_id   INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    imported_at TEXT NOT NULL
);
INSERT INTO files_v2 (id, path_key, path, size, mtime, hash, format, encoding, status, reason,
                      report_id, imported_at)
    SELECT id, CAST(path AS BLOB), path, size, mtime, hash, format, encoding, status, reason,
           report_id, imported_at FROM files;
DROP TABLE files;
ALTER TABLE files_v2 RENAME TO files;
CREATE TABLE findings_v2 (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    source    TEXT NOT NULL DEFAULT 'parse',
    position  INTEGER NOT NULL,
    rule      TEXT NOT NULL,
    severity  TEXT NOT NULL,
    message   TEXT NOT NULL,
    cells     TEXT NOT NULL,
    line      INTEGER,
    PRIMARY KEY (report_id, source, position)
) WITHOUT ROWID;
INSERT INTO findings_v2 (report_id, source, position, rule, severity, message, cells, line)
    SELECT report_id, source, position, rule, severity, message, cells, line FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v2 RENAME TO findings;
"#;

/// Migrates a version 2 database: cells say what settled a value cut out of a fused run, and
/// the figures the reports' text restates get a table. Reports stored before keep their rows
/// (without restated figures until their files are imported into a new database).
const MIGRATE_2_TO_3: &str = r#"
ALTER TABLE cell_values ADD COLUMN evidence TEXT;
DROP VIEW IF EXISTS cells;
"#;

/// Version 3 to 4: where a PDF prints each cell (page, and box in points).
const MIGRATE_3_TO_4: &str = r#"
ALTER TABLE cell_values ADD COLUMN page INTEGER;
ALTER TABLE cell_values ADD COLUMN box TEXT;
DROP VIEW IF EXISTS cells;
"#;

/// Version 4 to 5: copies of one report are grouped (`agency_key`, `copy_of`), indicators and
/// the whole record are stored. Reports stored before get their `agency_key` on opening; they
/// have no record or indicators until their files are imported into a new database.
const MIGRATE_4_TO_5: &str = r#"
ALTER TABLE reports ADD COLUMN agency_key TEXT;
ALTER TABLE reports ADD COLUMN copy_of INTEGER REFERENCES reports(id) ON DELETE SET NULL;
"#;

/// Version 5 to 6: new records are compressed with Zstandard against a dictionary (see
/// `record.rs`; records deflated by version 5 are still read, and an older xxgk refuses the
/// file rather than fail on them), and copies and years are checked again only for the
/// agency-years an import changed (`pending_groups`): every one of them, once, after migrating.
const MIGRATE_5_TO_6: &str = r#"
CREATE TABLE IF NOT EXISTS pending_groups (
    agency_key TEXT NOT NULL,
    year       INTEGER NOT NULL,
    PRIMARY KEY (agency_key, year)
) WITHOUT ROWID;
INSERT OR IGNORE INTO pending_groups (agency_key, year)
    SELECT DISTINCT agency_key, year FROM reports WHERE agency_key IS NOT NULL AND year IS NOT NULL;
"#;

/// Version 7: `sections` becomes a rowid table. Its rows run to kilobytes, which a
/// `WITHOUT ROWID` table (made for small rows) keeps in overflow pages, a third of them empty
/// space; the same rows now take two thirds of the room.
const MIGRATE_6_TO_7: &str = r#"
CREATE TABLE sections_v7 (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    number    INTEGER,
    title     TEXT NOT NULL,
    text      TEXT NOT NULL,
    UNIQUE (report_id, position)
);
INSERT INTO sections_v7 (report_id, position, number, title, text)
    SELECT report_id, position, number, title, text FROM sections ORDER BY report_id, position;
DROP TABLE sections;
ALTER TABLE sections_v7 RENAME TO sections;
"#;

/// Version 8: cell rows hold a cell whole and compactly (see `cell_row.rs`): the status as a
/// code with flags, no value text a whole value gives, no raw text that is the value's text, no
/// unit that is the key's (`cell_keys.unit`, the unit its cells mostly have), and the location
/// and labels the record held alone (`byte`, `grid_*`, `row_label`, `column_label`; empty in
/// rows migrated from version 7, whose records stay whole). New records leave the cells and
/// section texts out.
const MIGRATE_7_TO_8: &str = r#"
DROP VIEW IF EXISTS cells;
ALTER TABLE cell_keys ADD COLUMN unit TEXT;
UPDATE cell_keys SET unit = (
    SELECT unit FROM cell_values v WHERE v.key_id = cell_keys.id
    GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1);
CREATE TABLE cell_values_v8 (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key_id       INTEGER NOT NULL REFERENCES cell_keys(id),
    position     INTEGER NOT NULL,
    status_code  INTEGER NOT NULL,
    value        REAL,
    value_text   TEXT,
    raw          TEXT,
    unit         TEXT,
    line         INTEGER,
    col          INTEGER,
    byte         INTEGER,
    grid_table   INTEGER,
    grid_row     INTEGER,
    grid_cell    INTEGER,
    candidates   TEXT,
    evidence     TEXT,
    page         INTEGER,
    box          TEXT,
    row_label    TEXT,
    column_label TEXT,
    PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
INSERT INTO cell_values_v8 (report_id, key_id, position, status_code, value, value_text, raw,
                            unit, line, col, candidates, evidence, page, box)
    SELECT v.report_id, v.key_id, v.position,
           CASE v.status WHEN 'number' THEN 0 WHEN 'blank' THEN 1 WHEN 'placeholder' THEN 2
                WHEN 'ambiguous' THEN 3 WHEN 'unreadable' THEN 4 ELSE 5 END
           + CASE WHEN v.raw IS NOT NULL AND v.raw = v.value_text THEN 8 ELSE 0 END
           + CASE WHEN v.line IS NULL AND v.col IS NULL AND v.page IS NULL THEN 16 ELSE 0 END,
           v.value,
           CASE WHEN v.value IS NOT NULL AND abs(v.value) < 9007199254740992
                     AND v.value_text = CAST(CAST(v.value AS INTEGER) AS TEXT)
                THEN NULL ELSE v.value_text END,
           CASE WHEN v.raw IS NOT NULL AND v.raw = v.value_text THEN NULL ELSE v.raw END,
           CASE WHEN v.unit IS k.unit THEN NULL ELSE v.unit END,
           v.line, v.col, v.candidates, v.evidence, v.page, v.box
    FROM cell_values v JOIN cell_keys k ON k.id = v.key_id
    ORDER BY v.report_id, v.key_id;
DROP TABLE cell_values;
ALTER TABLE cell_values_v8 RENAME TO cell_values;
"#;

/// Version 9: a cell's row keeps only what most cells have; the evidence that settled a value
/// becomes bits of `status_code` (32 form, 64 narrative), and what few cells have (a unit other
/// than the key's, candidates, a PDF page and box, an extra cell's labels) moves to a
/// `cell_details` row of its own: each column a row has costs a byte even when empty. `value`
/// takes `NUMERIC` affinity, so that a whole value is stored as the integer it is (in one to
/// six bytes; SQLite stores every value of a `REAL` column in eight), and the `cells` view gives
/// it as a `REAL` as before. The rows of the bench archive take 5.4 instead of 9.2 KB per report.
/// An evidence this version does not know is kept as bits it refuses to read (96), never dropped.
const MIGRATE_8_TO_9: &str = r#"
DROP VIEW IF EXISTS cells;
CREATE TABLE cell_details (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key_id       INTEGER NOT NULL REFERENCES cell_keys(id),
    unit         TEXT,
    candidates   TEXT,
    page         INTEGER,
    box          TEXT,
    row_label    TEXT,
    column_label TEXT,
    PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
INSERT INTO cell_details (report_id, key_id, unit, candidates, page, box, row_label, column_label)
    SELECT report_id, key_id, unit, candidates, page, box, row_label, column_label
    FROM cell_values
    WHERE coalesce(unit, candidates, page, box, row_label, column_label) IS NOT NULL
    ORDER BY report_id, key_id;
CREATE TABLE cell_values_v9 (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key_id       INTEGER NOT NULL REFERENCES cell_keys(id),
    position     INTEGER NOT NULL,
    status_code  INTEGER NOT NULL,
    value        NUMERIC,
    value_text   TEXT,
    raw          TEXT,
    line         INTEGER,
    col          INTEGER,
    byte         INTEGER,
    grid_table   INTEGER,
    grid_row     INTEGER,
    grid_cell    INTEGER,
    PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
INSERT INTO cell_values_v9 (report_id, key_id, position, status_code, value, value_text, raw,
                            line, col, byte, grid_table, grid_row, grid_cell)
    SELECT report_id, key_id, position,
           status_code + CASE WHEN evidence IS NULL THEN 0 WHEN evidence = 'form' THEN 32
                              WHEN evidence = 'narrative' THEN 64 ELSE 96 END,
           value, value_text, raw, line, col, byte, grid_table, grid_row, grid_cell
    FROM cell_values
    ORDER BY report_id, key_id;
DROP INDEX IF EXISTS cell_values_key;
DROP TABLE cell_values;
ALTER TABLE cell_values_v9 RENAME TO cell_values;
"#;

/// Marks the agency-years of the reports `?1` and `?2` (either may be NULL) as changed.
const MARK_PENDING: &str = "INSERT OR IGNORE INTO pending_groups (agency_key, year)
     SELECT agency_key, year FROM reports
     WHERE id IN (?1, ?2) AND agency_key IS NOT NULL AND year IS NOT NULL";

/// The reports of the agency-years changed since the last check.
const PENDING_REPORTS: &str = "SELECT r.id FROM pending_groups p
     JOIN reports r ON r.agency_key = p.agency_key AND r.year = p.year";

/// The key a path is stored under: its bytes as the system gives them.
pub fn path_key(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned().into_bytes()
    }
}

/// A path for display, losslessly: valid UTF-8 as it is, any other byte as `\xNN`.
pub fn path_text(path: &Path) -> String {
    let bytes = path_key(path);
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// What is known of a file already in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    /// Size in bytes when imported.
    pub size: u64,
    /// Modification time (seconds since the epoch) when imported.
    pub mtime: Option<i64>,
    /// Content hash when imported.
    pub hash: Option<String>,
    /// `ok`, `findings`, `failed` or `missing`.
    pub status: String,
}

/// The outcome of one input file, ready to be stored.
#[derive(Debug)]
pub struct FileRecord {
    /// The file's path, as absolute as the system can make it.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: Option<i64>,
    /// Content hash (BLAKE3, hex); `None` when the file could not be read.
    pub hash: Option<String>,
    /// What the file turned out to be.
    pub outcome: FileOutcome,
}

/// What became of a file.
#[derive(Debug)]
pub enum FileOutcome {
    /// Parsed into a report; build it with [`FileOutcome::parsed`].
    Parsed {
        /// The report.
        report: Box<Report>,
        /// The record and cell rows as stored, made where the report was parsed so that the
        /// single writer does not have to.
        record: Box<StoredForm>,
    },
    /// Same content as already stored (only its path or time changed).
    Unchanged,
    /// Not imported, and why; `format` names what the bytes looked like.
    Failed {
        /// The detected format (`pdf`, `doc`, `binary`, `text`, …), when known.
        format: Option<String>,
        /// Why it failed.
        reason: String,
    },
}

/// A report's stored form: its record blob and the parts of its cell rows that take work to
/// make. Made by [`FileOutcome::parsed`].
#[derive(Debug)]
pub struct StoredForm {
    /// The `records.json` blob.
    blob: Vec<u8>,
    /// The cells' rows, in the report's order.
    cells: Vec<cell_row::Encoded>,
}

impl FileOutcome {
    /// A parsed report, with its stored record made now (in the caller's thread). The record
    /// leaves out the cells and section texts when the rows give them back exactly (nearly
    /// always; see `cell_row.rs`), and holds them otherwise.
    pub fn parsed(mut report: Report) -> StoreResult<FileOutcome> {
        let cells: Vec<cell_row::Encoded> = report.cells.iter().map(cell_row::encode).collect();
        let blob = if cell_row::restores(&report.cells, &cells) {
            record::compress_without_rows(&mut report)?
        } else {
            record::compress(&report)?
        };
        Ok(FileOutcome::Parsed {
            report: Box::new(report),
            record: Box::new(StoredForm { blob, cells }),
        })
    }
}

/// The content hash the store keys reports and files by.
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// `ok` for a report without warnings or errors, `findings` otherwise.
pub fn report_status(report: &Report) -> &'static str {
    if report
        .findings
        .iter()
        .any(|f| f.severity >= Severity::Warning)
    {
        "findings"
    } else {
        "ok"
    }
}

/// What [`Store::group_copies`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyStats {
    /// Groups of more than one copy.
    pub groups: usize,
    /// Copies linked to a chosen copy (`copy_of` set).
    pub copies: usize,
    /// `X3` findings written (one on each side of a disagreeing pair).
    pub disagreements: usize,
}

/// A report considered for grouping.
struct Candidate {
    id: i64,
    agency_key: String,
    year: i64,
    cells_found: i64,
    findings: i64,
    format: String,
    hash: String,
    agency: Option<String>,
    path: String,
}

/// The order formats are preferred in when copies tie: the one that keeps cell boundaries best first.
fn format_rank(format: &str) -> usize {
    ["docx", "pdf", "html", "markdown", "text"]
        .iter()
        .position(|f| *f == format)
        .unwrap_or(5)
}

/// The SQLite store.
pub struct Store {
    conn: Connection,
    /// Cell key → its id and unit in `cell_keys`.
    keys: HashMap<String, StoredKey>,
    /// The transaction [`Store::begin`] opened: its time, and the keys first stored in it.
    open: Option<OpenBatch>,
}

/// A cell key as `cell_keys` holds it.
#[derive(Debug, Clone)]
struct StoredKey {
    /// Its id.
    id: i64,
    /// The unit its rows leave out (that of its first cell).
    unit: Option<String>,
}

/// A transaction of file writes in progress.
struct OpenBatch {
    /// The time written on each file's row.
    now: String,
    /// Keys added to `cell_keys` in this transaction (gone again if it fails).
    new_keys: Vec<String>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Store> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory store (for tests).
    pub fn in_memory() -> StoreResult<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> StoreResult<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let is_fresh = |conn: &Connection| -> rusqlite::Result<bool> {
            conn.query_row(
                "SELECT count(*) = 0 FROM sqlite_master WHERE name = 'files'",
                [],
                |r| r.get(0),
            )
        };
        let mut fresh = is_fresh(&conn)?;
        if fresh {
            // The whole schema in one transaction, so that another import opening the same new
            // database at the same moment sees all of it or none (and waits for it).
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let created = (|| -> StoreResult<bool> {
                if !is_fresh(&conn)? {
                    return Ok(false);
                }
                conn.execute_batch(SCHEMA)?;
                conn.execute_batch(ROW_INDEXES)?;
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )?;
                Ok(true)
            })();
            match created {
                Ok(created) => {
                    conn.execute_batch("COMMIT")?;
                    fresh = created;
                }
                Err(err) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(err);
                }
            }
        }
        if !fresh {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
            )?;
        }
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )?;
            }
            Some(found @ (1..=8)) => {
                let steps = [
                    MIGRATE_1_TO_2,
                    MIGRATE_2_TO_3,
                    MIGRATE_3_TO_4,
                    MIGRATE_4_TO_5,
                    MIGRATE_5_TO_6,
                    MIGRATE_6_TO_7,
                    MIGRATE_7_TO_8,
                    MIGRATE_8_TO_9,
                ]
                .get(usize::try_from(found - 1).unwrap_or(0)..)
                .unwrap_or_default()
                .concat();
                conn.execute_batch(&format!(
                    "BEGIN IMMEDIATE; {steps} {SCHEMA} UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'; COMMIT;"
                ))?;
            }
            Some(v) if v != SCHEMA_VERSION => {
                return Err(StoreError::Schema {
                    found: v,
                    expected: SCHEMA_VERSION,
                })
            }
            Some(_) => {}
        }
        let keys = {
            let mut statement = conn.prepare("SELECT key, id, unit FROM cell_keys")?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    StoredKey {
                        id: r.get(1)?,
                        unit: r.get(2)?,
                    },
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        if !fresh {
            conn.execute_batch(ROW_INDEXES)?;
            fill_agency_keys(&conn)?;
        }
        // 16 MiB of page cache: the writes append (reports, their cells and findings in key order),
        // so a bigger cache buys little and costs every import its size in memory.
        conn.pragma_update(None, "cache_size", -16384)?;
        Ok(Store {
            conn,
            keys,
            open: None,
        })
    }

    /// The underlying connection, for queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The record of a stored report as JSON text, exactly as `xxgk parse` prints it (compact):
    /// put together again from its rows when it was stored without them. `None` for a report
    /// stored before schema 5, which has no record.
    pub fn record(&self, report_id: i64) -> StoreResult<Option<String>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT json FROM records WHERE report_id = ?1")?
            .query_row(params![report_id], |r| r.get(0))
            .optional()?;
        let Some(blob) = blob else {
            return Ok(None);
        };
        let (mut report, packed_checks) = match record::open(&blob)? {
            record::Opened::Whole(json) => return Ok(Some(json)),
            record::Opened::WithoutRows(report, checks) => (report, checks),
        };
        let damaged = |what: String| StoreError::Record(format!("report {report_id}: {what}"));
        let mut texts = self
            .conn
            .prepare_cached("SELECT position, text FROM sections WHERE report_id = ?1")?;
        let mut rows = texts.query(params![report_id])?;
        let mut filled = 0usize;
        while let Some(row) = rows.next()? {
            let position: i64 = row.get(0)?;
            let section = usize::try_from(position)
                .ok()
                .and_then(|p| report.sections.get_mut(p))
                .ok_or_else(|| damaged(format!("a section at position {position}")))?;
            section.text = row.get(1)?;
            filled += 1;
        }
        if filled != report.sections.len() {
            return Err(damaged(format!(
                "{} sections in the record, {filled} in its rows",
                report.sections.len()
            )));
        }
        let mut cells = self.conn.prepare_cached(
            "SELECT k.key, v.status_code, v.value, v.value_text, v.raw, coalesce(d.unit, k.unit),
                    v.line, v.col, v.byte, v.grid_table, v.grid_row, v.grid_cell, d.candidates,
                    d.page, d.box, d.row_label, d.column_label
             FROM cell_values v JOIN cell_keys k ON k.id = v.key_id
             LEFT JOIN cell_details d ON d.report_id = v.report_id AND d.key_id = v.key_id
             WHERE v.report_id = ?1 ORDER BY v.position",
        )?;
        let rows = cells.query_map(params![report_id], |r| {
            Ok(cell_row::Row {
                key: r.get(0)?,
                code: r.get(1)?,
                value: r.get(2)?,
                value_text: r.get(3)?,
                raw: r.get(4)?,
                unit: r.get(5)?,
                line: r.get(6)?,
                column: r.get(7)?,
                byte: r
                    .get::<_, Option<i64>>(8)?
                    .map(|b| {
                        u64::try_from(b).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(8, b))
                    })
                    .transpose()?,
                grid: [r.get(9)?, r.get(10)?, r.get(11)?],
                candidates: r.get(12)?,
                page: r.get(13)?,
                bbox: r.get(14)?,
                row_label: r.get(15)?,
                column_label: r.get(16)?,
            })
        })?;
        report.cells = rows
            .map(|row| cell_row::decode(row?).map_err(damaged))
            .collect::<StoreResult<_>>()?;
        if let Some(checks) = packed_checks {
            record::unpack_checks(&mut report, checks).map_err(damaged)?;
        }
        serde_json::to_string(&report)
            .map(Some)
            .map_err(|e| StoreError::Record(e.to_string()))
    }

    /// Every file already stored: path key (see [`path_key`]) → what was known of it.
    pub fn known_files(&self) -> StoreResult<HashMap<Vec<u8>, KnownFile>> {
        let mut statement = self
            .conn
            .prepare("SELECT path_key, size, mtime, hash, status FROM files")?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                KnownFile {
                    size: r.get::<_, i64>(1)? as u64,
                    mtime: r.get(2)?,
                    hash: r.get(3)?,
                    status: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a batch of files in one transaction (see [`Store::begin`]).
    pub fn write_batch(&mut self, records: &[FileRecord]) -> StoreResult<()> {
        self.begin()?;
        for record in records {
            self.write(record)?;
        }
        self.commit()
    }

    /// Opens a transaction for [`Store::write`]. It takes the write lock at once, so that another
    /// import of the same database waits for it (up to the busy timeout) instead of failing
    /// half-way. A transaction already open is left as it is.
    pub fn begin(&mut self) -> StoreResult<()> {
        if self.open.is_some() {
            return Ok(());
        }
        fail_if_asked()?;
        // The batch's rows reference only what it has just written or read (its reports, the
        // keys): checking each against its parent table was a fifth of the writer's work. The
        // checks are off for the batch alone (SQLite changes the setting only outside a
        // transaction) and on again after it, for the deletes that cascade.
        self.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        if let Err(err) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            self.foreign_keys_on();
            return Err(err.into());
        }
        match now_text(&self.conn) {
            Ok(now) => {
                self.open = Some(OpenBatch {
                    now,
                    new_keys: Vec::new(),
                });
                Ok(())
            }
            Err(err) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.foreign_keys_on();
                Err(err)
            }
        }
    }

    /// Turns the foreign key checks (and the deletes they cascade) on again after a batch that
    /// failed (the batch's error is the one reported; a commit reports this one's).
    fn foreign_keys_on(&self) {
        let _ = self.conn.execute_batch("PRAGMA foreign_keys = ON");
    }

    /// Writes one file (and its report) in the open transaction, opening one if none is. On an
    /// error the transaction is rolled back: nothing of it stays.
    pub fn write(&mut self, record: &FileRecord) -> StoreResult<()> {
        self.begin()?;
        let Some(batch) = self.open.as_mut() else {
            return Ok(());
        };
        let written = write_file(
            &self.conn,
            record,
            &batch.now,
            &mut self.keys,
            &mut batch.new_keys,
        );
        if written.is_err() {
            self.rollback();
        }
        written
    }

    /// Commits the open transaction (nothing when none is open). When the commit fails, the
    /// transaction is rolled back.
    pub fn commit(&mut self) -> StoreResult<()> {
        if self.open.is_none() {
            return Ok(());
        }
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.open = None;
                self.conn.execute_batch("PRAGMA foreign_keys = ON")?;
                Ok(())
            }
            Err(err) => {
                self.rollback();
                Err(err.into())
            }
        }
    }

    /// Rolls the open transaction back; the keys it added are forgotten.
    fn rollback(&mut self) {
        if let Some(batch) = self.open.take() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.foreign_keys_on();
            for key in batch.new_keys {
                self.keys.remove(&key);
            }
        }
    }

    /// Before writing `files` files: when they are more than the reports stored (a first import,
    /// or one that more than doubles the database), drops the indexes over every cell and
    /// finding row, to be built again by [`Store::build_indexes`]. Returns whether it did.
    pub fn defer_indexes(&mut self, files: usize) -> StoreResult<bool> {
        let reports: i64 = self
            .conn
            .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))?;
        if i64::try_from(files).unwrap_or(i64::MAX) <= reports {
            return Ok(false);
        }
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DROP INDEX IF EXISTS cell_values_key; DROP INDEX IF EXISTS findings_rule; COMMIT;",
        )?;
        Ok(true)
    }

    /// Builds the indexes over cell and finding rows that are missing.
    pub fn build_indexes(&mut self) -> StoreResult<()> {
        self.conn
            .execute_batch(&format!("BEGIN IMMEDIATE; {ROW_INDEXES} COMMIT;"))?;
        Ok(())
    }

    /// Deletes reports no file refers to any more (their cells, sections and findings go with them).
    pub fn remove_orphans(&mut self) -> StoreResult<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = tx.execute(
            "DELETE FROM reports WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.report_id = reports.id)",
            [],
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// Files stored under one of `roots` (path keys, as [`path_key`] gives them) that are not
    /// among `present` any more: marked `missing`, or with `prune` deleted. Returns how many.
    pub fn mark_missing(
        &mut self,
        roots: &[Vec<u8>],
        present: &std::collections::HashSet<Vec<u8>>,
        prune: bool,
    ) -> StoreResult<usize> {
        let under = |key: &[u8]| {
            roots.iter().any(|root| {
                key == root.as_slice()
                    || (key.starts_with(root)
                        && (root.ends_with(b"/") || key.get(root.len()) == Some(&b'/')))
            })
        };
        let gone: Vec<Vec<u8>> = self
            .known_files()?
            .into_iter()
            .filter(|(_, known)| known.status != "missing" || prune)
            .map(|(key, _)| key)
            .filter(|key| under(key) && !present.contains(key))
            .collect();
        if gone.is_empty() {
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_text(&tx)?;
        let mut pending = tx.prepare(
            "INSERT OR IGNORE INTO pending_groups (agency_key, year)
             SELECT r.agency_key, r.year FROM files f JOIN reports r ON r.id = f.report_id
             WHERE f.path_key = ?1 AND r.agency_key IS NOT NULL AND r.year IS NOT NULL",
        )?;
        for key in &gone {
            pending.execute(params![key])?;
            if prune {
                tx.execute("DELETE FROM files WHERE path_key = ?1", params![key])?;
            } else {
                tx.execute(
                    "UPDATE files SET status = 'missing', reason = 'the file no longer exists', imported_at = ?2 WHERE path_key = ?1",
                    params![key, now],
                )?;
            }
        }
        drop(pending);
        tx.commit()?;
        Ok(gone.len())
    }

    /// Groups the copies of one report: reports (distinct contents) of the same agency (by
    /// [`agency_key`]) and year whose number cells agree — at most one in ten of the cells both
    /// hold as numbers differs — are one report. Each group has one chosen copy, the one with
    /// the most cells read, then the fewest errors and warnings, then by format (docx, pdf,
    /// html, markdown, text), then by content hash; the others get `copy_of` = its id, and panel
    /// exports leave them out. A copy that differs from the chosen one on a cell gets an `X3`
    /// error finding (source `copies`) naming the cells, both values and both files, and so does
    /// the chosen copy.
    ///
    /// Only the agency-years that files written or marked missing since the last
    /// [`Store::cross_check`] touched are grouped again (all of them in a database migrated from
    /// an earlier schema), so the work follows the change, not the size of the database. Returns
    /// what it found in them.
    pub fn group_copies(&mut self) -> StoreResult<CopyStats> {
        let names: HashMap<i64, String> = self
            .keys
            .iter()
            .map(|(k, stored)| (stored.id, k.clone()))
            .collect();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!(
                "DELETE FROM findings WHERE source = 'copies' AND report_id IN ({PENDING_REPORTS})"
            ),
            [],
        )?;
        tx.execute(
            &format!("UPDATE reports SET copy_of = NULL WHERE copy_of IS NOT NULL AND id IN ({PENDING_REPORTS})"),
            [],
        )?;
        let candidates: Vec<Candidate> = {
            let mut statement = tx.prepare(
                "SELECT r.id, r.agency_key, r.year, r.cells_found, r.errors + r.warnings, r.format,
                        r.hash, r.agency,
                        (SELECT min(path) FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
                 FROM pending_groups p
                 JOIN reports r ON r.agency_key = p.agency_key AND r.year = p.year
                 WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
                 ORDER BY r.agency_key, r.year",
            )?;
            let rows = statement.query_map([], |r| {
                Ok(Candidate {
                    id: r.get(0)?,
                    agency_key: r.get(1)?,
                    year: r.get(2)?,
                    cells_found: r.get(3)?,
                    findings: r.get(4)?,
                    format: r.get(5)?,
                    hash: r.get(6)?,
                    agency: r.get(7)?,
                    path: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut stats = CopyStats::default();
        let mut numbers = tx.prepare(
            &format!("SELECT v.key_id, {} FROM cell_values v WHERE v.report_id = ?1 AND v.status_code & 7 = 0", cell_row::VALUE_TEXT_SQL),
        )?;
        let mut link = tx.prepare("UPDATE reports SET copy_of = ?2 WHERE id = ?1")?;
        let mut finding = tx.prepare(
            "INSERT INTO findings (report_id, source, position, rule, severity, message, cells, line)
             VALUES (?1, 'copies', ?2, 'X3', 'error', ?3, ?4, NULL)",
        )?;
        let mut positions: HashMap<i64, i64> = HashMap::new();
        for same in candidates.chunk_by(|a, b| (&a.agency_key, a.year) == (&b.agency_key, b.year)) {
            if same.len() < 2 {
                continue;
            }
            let mut ordered: Vec<&Candidate> = same.iter().collect();
            ordered.sort_by(|a, b| {
                b.cells_found
                    .cmp(&a.cells_found)
                    .then(a.findings.cmp(&b.findings))
                    .then(format_rank(&a.format).cmp(&format_rank(&b.format)))
                    .then(a.hash.cmp(&b.hash))
            });
            // Each group: its chosen copy, with that copy's number cells, and how many joined it.
            let mut groups: Vec<(&Candidate, HashMap<i64, String>, usize)> = Vec::new();
            for candidate in ordered {
                let cells: HashMap<i64, String> = numbers
                    .query_map(params![candidate.id], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                let joined = groups
                    .iter_mut()
                    .find_map(|(chosen, chosen_cells, members)| {
                        let mut differing: Vec<(i64, &String, &String)> = Vec::new();
                        let mut shared = 0usize;
                        for (key, value) in &cells {
                            if let Some(theirs) = chosen_cells.get(key) {
                                shared += 1;
                                if theirs != value {
                                    differing.push((*key, theirs, value));
                                }
                            }
                        }
                        (differing.len().saturating_mul(10) <= shared).then(|| {
                            *members += 1;
                            differing.sort_by(|a, b| names.get(&a.0).cmp(&names.get(&b.0)));
                            let differing: Vec<(String, String, String)> = differing
                                .into_iter()
                                .map(|(k, a, b)| {
                                    (
                                        names.get(&k).cloned().unwrap_or_default(),
                                        a.clone(),
                                        b.clone(),
                                    )
                                })
                                .collect();
                            (*chosen, differing)
                        })
                    });
                match joined {
                    Some((chosen, differing)) => {
                        link.execute(params![candidate.id, chosen.id])?;
                        stats.copies += 1;
                        if differing.is_empty() {
                            continue;
                        }
                        let keys: Vec<&str> =
                            differing.iter().map(|(k, _, _)| k.as_str()).collect();
                        let keys = serde_json::to_string(&keys).unwrap_or_default();
                        let agency = candidate.agency.as_deref().unwrap_or("");
                        // (report the finding is on, the other report, whether it is the chosen one)
                        for (on, other, on_chosen) in
                            [(candidate, chosen, false), (chosen, candidate, true)]
                        {
                            let mut described: Vec<String> = differing
                                .iter()
                                .take(8)
                                .map(|(key, chosen_value, copy_value)| {
                                    let (here, there) = if on_chosen {
                                        (chosen_value, copy_value)
                                    } else {
                                        (copy_value, chosen_value)
                                    };
                                    format!(
                                        "{} ({key}) {here} here, {there} there",
                                        crate::template::chinese_label(key)
                                    )
                                })
                                .collect();
                            if differing.len() > described.len() {
                                described
                                    .push(format!("{} more", differing.len() - described.len()));
                            }
                            let role = if on_chosen {
                                "the chosen copy; the other is"
                            } else {
                                "a copy; the chosen one is"
                            };
                            let message = format!(
                                "X3 {agency} {}: two copies of this report disagree on {} cell(s) (this is {role} report {}, {}): {}",
                                candidate.year,
                                differing.len(),
                                other.id,
                                other.path,
                                described.join("; ")
                            );
                            let position = positions.entry(on.id).or_insert(0);
                            finding.execute(params![on.id, *position, message, keys])?;
                            *position += 1;
                            stats.disagreements += 1;
                        }
                    }
                    None => groups.push((candidate, cells, 1)),
                }
            }
            stats.groups += groups.iter().filter(|(_, _, members)| *members > 1).count();
        }
        drop((numbers, link, finding));
        tx.commit()?;
        Ok(stats)
    }

    /// Cross-report check X1: a report's 上年结转 (carried_over) must equal the same agency's
    /// previous-year 结转下年度 (carried_forward), column by column, between chosen copies (run
    /// [`Store::group_copies`] first), agencies matched by [`agency_key`]. Findings are (re)written on the
    /// later report with source `cross`, for the later reports of the agency-years changed since
    /// the last call and of the years after them; then those agency-years are settled. Returns
    /// the number of findings written.
    ///
    /// One query finds every mismatch: report pairs by the `(agency, year)` index, the two cells
    /// of each column by the cells' primary key, so the check costs a few index look-ups per
    /// report however many reports share an agency and year.
    pub fn cross_check(&mut self) -> StoreResult<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The later reports whose pair may have changed: those of a changed agency-year, and
        // those of the year after one.
        tx.execute_batch(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS rechecked (id INTEGER PRIMARY KEY);
             DELETE FROM temp.rechecked;
             INSERT OR IGNORE INTO temp.rechecked (id) {PENDING_REPORTS};
             INSERT OR IGNORE INTO temp.rechecked (id)
                 SELECT r.id FROM pending_groups p
                 JOIN reports r ON r.agency_key = p.agency_key AND r.year = p.year + 1;
             DELETE FROM findings WHERE source = 'cross' AND report_id IN (SELECT id FROM temp.rechecked);
             DELETE FROM pending_groups;"
        ))?;
        // (position, carried_over key id, carried_forward key id) of each column both have.
        let columns: Vec<(usize, i64, i64)> = crate::template::APPLICANT_COLUMNS
            .iter()
            .enumerate()
            .filter_map(|(i, column)| {
                let over = self
                    .keys
                    .get(&format!("applications.carried_over.{}", column.id))?;
                let forward = self
                    .keys
                    .get(&format!("applications.carried_forward.{}", column.id))?;
                Some((i, over.id, forward.id))
            })
            .collect();
        if columns.is_empty() {
            tx.commit()?;
            return Ok(0);
        }
        // (The pending agency-years are cleared above, in this transaction: they stay pending
        // until the check commits.)
        let values = columns
            .iter()
            .map(|(i, over, forward)| format!("({i}, {over}, {forward})"))
            .collect::<Vec<_>>()
            .join(", ");
        // Each side's value text, written back where its row leaves it out.
        let o_text = cell_row::VALUE_TEXT_SQL.replace("v.", "o.");
        let f_text = cell_row::VALUE_TEXT_SQL.replace("v.", "f.");
        let mismatches: Vec<(i64, i64, String, i64, i64, String, String)> = {
            let mut statement = tx.prepare(&format!(
                "WITH columns(position, over_key, forward_key) AS (VALUES {values})
                 SELECT later.id, earlier.id, later.agency, later.year, columns.position,
                        {o_text}, {f_text}
                 FROM temp.rechecked rechecked
                 JOIN reports later ON later.id = rechecked.id
                 JOIN reports earlier
                   ON earlier.agency_key = later.agency_key AND earlier.year = later.year - 1
                 JOIN columns
                 JOIN cell_values o ON o.report_id = later.id AND o.key_id = columns.over_key
                 JOIN cell_values f ON f.report_id = earlier.id AND f.key_id = columns.forward_key
                 WHERE later.agency_key IS NOT NULL AND later.year IS NOT NULL
                   AND later.copy_of IS NULL AND earlier.copy_of IS NULL
                   AND o.status_code & 7 = 0 AND f.status_code & 7 = 0
                   AND {o_text} IS NOT {f_text}
                   AND EXISTS (SELECT 1 FROM files x WHERE x.report_id = later.id AND x.status <> 'missing')
                   AND EXISTS (SELECT 1 FROM files x WHERE x.report_id = earlier.id AND x.status <> 'missing')
                 ORDER BY later.id, earlier.id, columns.position"
            ))?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut written = 0;
        let mut positions: HashMap<i64, i64> = HashMap::new();
        let mut insert = tx.prepare_cached(
            "INSERT INTO findings (report_id, source, position, rule, severity, message, cells, line)
             VALUES (?1, 'cross', ?2, 'X1', 'error', ?3, ?4, NULL)",
        )?;
        for pair in mismatches.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (later, earlier, agency, year) = (pair[0].0, pair[0].1, &pair[0].2, pair[0].3);
            let columns = crate::template::APPLICANT_COLUMNS;
            let column = |position: i64| {
                usize::try_from(position)
                    .ok()
                    .and_then(|p| columns.get(p))
                    .map_or(("?", "?"), |c| (c.label, c.id))
            };
            let described: Vec<String> = pair
                .iter()
                .map(|m| format!("{} {} ≠ {}", column(m.4).0, m.5, m.6))
                .collect();
            let keys: Vec<String> = pair
                .iter()
                .map(|m| format!("applications.carried_over.{}", column(m.4).1))
                .collect();
            let position = positions.entry(later).or_insert(0);
            insert.execute(params![
                later,
                *position,
                format!(
                    "X1 {agency} {year}: 上年结转 does not equal {}'s 结转下年度 (report {earlier}): {}",
                    year - 1,
                    described.join("; ")
                ),
                serde_json::to_string(&keys).unwrap_or_default(),
            ])?;
            *position += 1;
            written += 1;
        }
        drop(insert);
        tx.commit()?;
        Ok(written)
    }
}

/// Test builds only: fails a batch write when `$XXGK_TEST_FAIL_WRITES` is set, so that the tests
/// can show an import ends with a clear error on a write error (a full disk). Release builds
/// compile it to nothing.
fn fail_if_asked() -> StoreResult<()> {
    #[cfg(debug_assertions)]
    if std::env::var_os("XXGK_TEST_FAIL_WRITES").is_some() {
        return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("the disk is full (a failure the tests asked for)".into()),
        )));
    }
    Ok(())
}

/// A consistency rule's "not assessable" finding.
fn is_not_assessable(finding: &crate::report::Finding) -> bool {
    finding.severity == Severity::Info
        && matches!(
            finding.rule.as_str(),
            "R1" | "R2" | "R3" | "R4" | "R5" | "R6" | "R7" | "X2"
        )
}

/// The note that a cell's value was cut out of a fused run (its `evidence` says how).
fn is_recovered_note(finding: &crate::report::Finding) -> bool {
    finding.severity == Severity::Info && finding.rule == "cell.recovered"
}

/// The form of an agency's name that copies of one report share: whitespace, quotes and
/// full-width forms folded, traditional characters simplified, Latin letters in lower case
/// (`平潭县 人民政府` and `平潭縣人民政府` are one agency). The written name is kept beside it.
pub fn agency_key(name: &str) -> String {
    crate::fold::fold(name).to_lowercase()
}

/// Gives the reports stored before schema 5 their `agency_key`.
fn fill_agency_keys(conn: &Connection) -> StoreResult<()> {
    let unkeyed: Vec<(i64, String)> = {
        let mut statement = conn.prepare(
            "SELECT id, agency FROM reports WHERE agency IS NOT NULL AND agency_key IS NULL",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    if unkeyed.is_empty() {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let filled = (|| -> StoreResult<()> {
        let mut update = conn.prepare("UPDATE reports SET agency_key = ?2 WHERE id = ?1")?;
        let mut pending = conn.prepare(MARK_PENDING)?;
        for (id, agency) in &unkeyed {
            update.execute(params![id, agency_key(agency)])?;
            pending.execute(params![id, Option::<i64>::None])?;
        }
        Ok(())
    })();
    match filled {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err)
        }
    }
}

/// The current time as SQLite writes it.
fn now_text(tx: &Connection) -> StoreResult<String> {
    Ok(
        tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')", [], |r| {
            r.get(0)
        })?,
    )
}

/// Cell key ids: the cache, and the keys first stored in the current transaction.
type KeyCache<'a> = (&'a mut HashMap<String, StoredKey>, &'a mut Vec<String>);

fn write_file(
    tx: &Connection,
    record: &FileRecord,
    now: &str,
    keys: &mut HashMap<String, StoredKey>,
    new_keys: &mut Vec<String>,
) -> StoreResult<()> {
    let (status, format, encoding, reason, report_id) = match &record.outcome {
        FileOutcome::Parsed {
            report,
            record: stored,
        } => {
            let hash = record.hash.as_deref().unwrap_or("");
            let id = write_report(tx, hash, report, stored, (keys, new_keys))?;
            (
                report_status(report),
                Some(report.format.as_str().to_string()),
                Some(report.encoding.clone()),
                None,
                Some(id),
            )
        }
        FileOutcome::Unchanged => {
            // Same content as stored under this hash: keep the row, refresh size and time.
            tx.execute(
                "UPDATE files SET size = ?2, mtime = ?3 WHERE path_key = ?1",
                params![path_key(&record.path), record.size as i64, record.mtime],
            )?;
            return Ok(());
        }
        FileOutcome::Failed { format, reason } => {
            ("failed", format.clone(), None, Some(reason.clone()), None)
        }
    };
    // The agency-years of the report the file held before and of the one it holds now: their
    // copies and years are checked again.
    tx.prepare_cached(
        "INSERT OR IGNORE INTO pending_groups (agency_key, year)
         SELECT agency_key, year FROM reports
         WHERE agency_key IS NOT NULL AND year IS NOT NULL
           AND (id = ?1 OR id = (SELECT report_id FROM files WHERE path_key = ?2))",
    )?
    .execute(params![report_id, path_key(&record.path)])?;
    tx.prepare_cached(
        "INSERT INTO files (path_key, path, size, mtime, hash, format, encoding, status, reason, report_id, imported_at)
         VALUES (?1, ?11, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(path_key) DO UPDATE SET path = excluded.path, size = excluded.size, mtime = excluded.mtime,
           hash = excluded.hash, format = excluded.format, encoding = excluded.encoding,
           status = excluded.status, reason = excluded.reason, report_id = excluded.report_id,
           imported_at = excluded.imported_at",
    )?
    .execute(params![
        path_key(&record.path),
        record.size as i64,
        record.mtime,
        record.hash,
        format,
        encoding,
        status,
        reason,
        report_id,
        now,
        path_text(&record.path),
    ])?;
    Ok(())
}

/// Stores a report unless one with the same content hash is stored already; returns its id.
fn write_report(
    tx: &Connection,
    hash: &str,
    report: &Report,
    stored: &StoredForm,
    keys: KeyCache<'_>,
) -> StoreResult<i64> {
    let (key_ids, new_keys) = keys;
    if let Some(id) = tx
        .prepare_cached("SELECT id FROM reports WHERE hash = ?1")?
        .query_row(params![hash], |r| r.get::<_, i64>(0))
        .optional()?
    {
        return Ok(id);
    }
    let m = &report.metadata;
    let count =
        |o: crate::report::Outcome| report.checks.iter().filter(|c| c.outcome == o).count() as i64;
    let severity = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count() as i64;
    let found = report.tables.iter().map(|t| t.found).sum::<usize>() as i64;
    let expected = report.tables.iter().map(|t| t.expected).sum::<usize>() as i64;
    tx.prepare_cached(
        "INSERT INTO reports (hash, template, year, agency, title, format, encoding, period_start,
           period_end, format_notice, notices, website, address, postcode, phone, email, publisher,
           published, source_url, preamble, cells_found, cells_expected, checks_passed,
           checks_failed, checks_not_assessable, errors, warnings, agency_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
           ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
    )?
    .execute(params![
        hash,
        report.template.as_str(),
        report.year,
        report.agency,
        report.title,
        report.format.as_str(),
        report.encoding,
        m.period.as_ref().map(|p| p.start.clone()),
        m.period.as_ref().map(|p| p.end.clone()),
        m.format_notice,
        serde_json::to_string(&m.notices).unwrap_or_default(),
        m.website,
        m.contact.address,
        m.contact.postcode,
        m.contact.phone,
        m.contact.email,
        m.publisher,
        m.published,
        m.source_url,
        report.preamble,
        found,
        expected,
        count(crate::report::Outcome::Passed),
        count(crate::report::Outcome::Failed),
        count(crate::report::Outcome::NotAssessable),
        severity(Severity::Error),
        severity(Severity::Warning),
        report.agency.as_deref().map(agency_key),
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO records (report_id, json) VALUES (?1, ?2)")?
        .execute(params![id, stored.blob])?;
    let mut indicator = tx.prepare_cached(
        "INSERT INTO indicators (report_id, position, name, value, numerator, denominator, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, i) in report.indicators.iter().enumerate() {
        indicator.execute(params![
            id,
            position as i64,
            i.name,
            i.value,
            i.numerator.map(|d| d.to_string()),
            i.denominator.map(|d| d.to_string()),
            i.note,
        ])?;
    }
    let mut section = tx.prepare_cached(
        "INSERT INTO sections (report_id, position, number, title, text) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, s) in report.sections.iter().enumerate() {
        section.execute(params![id, i as i64, s.number, s.title, s.text])?;
    }
    let mut cell = tx.prepare_cached(
        "INSERT OR IGNORE INTO cell_values (report_id, key_id, position, status_code, value,
           value_text, raw, line, col, byte, grid_table, grid_row, grid_cell)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut details = tx.prepare_cached(
        "INSERT OR IGNORE INTO cell_details (report_id, key_id, unit, candidates, page, box,
           row_label, column_label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut add_key = tx.prepare_cached(
        "INSERT INTO cell_keys (key, unit) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
    )?;
    let mut key_of = tx.prepare_cached("SELECT id, unit FROM cell_keys WHERE key = ?1")?;
    // The keys first, then the rows in key order: each row then goes at the end of the table's
    // last page, and the pages fill up (in the report's order, which is not its keys' order for
    // every template, the pages split half full: 7.5 instead of 6.3 KB per report).
    let mut order: Vec<(i64, bool, usize)> = Vec::with_capacity(report.cells.len());
    for (position, c) in report.cells.iter().enumerate() {
        let key = match key_ids.get(&c.key) {
            Some(key) => key,
            None => {
                // Another import may have stored the key since this one read the keys.
                add_key.execute(params![c.key, c.unit])?;
                let key = key_of.query_row(params![c.key], |r| {
                    Ok(StoredKey {
                        id: r.get(0)?,
                        unit: r.get(1)?,
                    })
                })?;
                new_keys.push(c.key.clone());
                key_ids.entry(c.key.clone()).or_insert(key)
            }
        };
        order.push((key.id, key.unit.as_deref() == Some(c.unit), position));
    }
    order.sort_unstable();
    for (key_id, key_unit, position) in order {
        let (Some(c), Some(encoded)) = (report.cells.get(position), stored.cells.get(position))
        else {
            continue; // `restores` checked that every cell has its row
        };
        let location = c.location.unwrap_or_default();
        let raw = (encoded.code & cell_row::RAW_IS_VALUE == 0).then_some(c.raw.as_deref());
        cell.execute(params![
            id,
            key_id,
            position as i64,
            encoded.code,
            encoded.value,
            encoded.value_text,
            raw.flatten(),
            location.line,
            location.column,
            location.byte.and_then(|b| i64::try_from(b).ok()),
            location.table,
            location.row,
            location.cell,
        ])?;
        let unit = (!key_unit).then_some(c.unit);
        if unit.is_some()
            || encoded.candidates.is_some()
            || location.page.is_some()
            || encoded.bbox.is_some()
            || c.row_label.is_some()
            || c.column_label.is_some()
        {
            details.execute(params![
                id,
                key_id,
                unit,
                encoded.candidates,
                location.page,
                encoded.bbox,
                c.row_label,
                c.column_label,
            ])?;
        }
    }
    let mut figure = tx.prepare_cached(
        "INSERT INTO narrative (report_id, position, keys, value, value_text, text, sentence, scope, line, col)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (position, f) in report.narrative.iter().enumerate() {
        let location = f.location.unwrap_or_default();
        figure.execute(params![
            id,
            position as i64,
            f.keys.join("+"),
            f.value.to_f64(),
            f.value.to_string(),
            f.text,
            f.sentence,
            f.scope.as_str(),
            location.line,
            location.column,
        ])?;
    }
    let mut finding = tx.prepare_cached(
        "INSERT INTO findings (report_id, source, position, rule, severity, message, cells, line)
         VALUES (?1, 'parse', ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    // Rules that could not be assessed are counted in `reports.checks_not_assessable`, and a
    // value recovered from a fused run is told by its cell's `evidence`: those findings (in the
    // stored record, whole) are not stored row by row.
    let stored = report
        .findings
        .iter()
        .filter(|f| !is_not_assessable(f) && !is_recovered_note(f));
    for (i, f) in stored.enumerate() {
        finding.execute(params![
            id,
            i as i64,
            f.rule,
            f.severity.as_str(),
            f.message,
            serde_json::to_string(&f.cells).unwrap_or_default(),
            f.location.and_then(|l| l.line),
        ])?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_names_are_folded_for_grouping() {
        let key = agency_key("平潭县人民政府");
        assert_eq!(agency_key("平潭县 人民政府"), key);
        assert_eq!(agency_key("平潭縣人民政府"), key, "traditional script");
        assert_eq!(agency_key("\u{3000}平潭县人民政府\n"), key);
        assert_eq!(
            agency_key("ＸＸ县统计局"),
            agency_key("xx县统计局"),
            "widths and case"
        );
        assert_ne!(agency_key("平潭县统计局"), key);
    }

    #[test]
    fn version_8_cells_move_their_rare_parts_out_and_keep_every_value() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../fixtures/store-v1-schema.sql"))
            .unwrap();
        let to_8 = [
            MIGRATE_1_TO_2,
            MIGRATE_2_TO_3,
            MIGRATE_3_TO_4,
            MIGRATE_4_TO_5,
            MIGRATE_5_TO_6,
            MIGRATE_6_TO_7,
            MIGRATE_7_TO_8,
        ]
        .concat();
        conn.execute_batch(&to_8).unwrap();
        conn.execute_batch(
            "INSERT INTO meta VALUES ('schema_version', '8');
             INSERT INTO reports (id, hash, template, format, encoding, cells_found,
                                  cells_expected, checks_passed, checks_failed,
                                  checks_not_assessable, errors, warnings)
                  VALUES (1, 'h1', '2021', 'pdf', 'UTF-8', 4, 4, 0, 0, 0, 0, 0);
             INSERT INTO cell_keys (id, key, unit) VALUES (1, 'applications.granted.total', '件'),
                  (2, 'applications.new_received.total', '件'), (3, 'active.fees.amount_wan', '万元'),
                  (4, 'extra.appeals.其他.合计', '件');
             INSERT INTO cell_values (report_id, key_id, position, status_code, value, value_text,
                                      raw, unit, line, col, byte, grid_table, grid_row, grid_cell,
                                      candidates, evidence, page, box, row_label, column_label)
                  VALUES (1, 1, 0, 0, 7, NULL, '17000', NULL, 3, 5, 40, NULL, NULL, NULL,
                          NULL, 'form', NULL, NULL, NULL, NULL),
                         (1, 2, 1, 0, 17, NULL, '17000', NULL, 3, 5, 40, NULL, NULL, NULL,
                          NULL, 'narrative', NULL, NULL, NULL, NULL),
                         (1, 3, 2, 8, 1.5, '1.5', NULL, '元', NULL, NULL, NULL, 0, 3, 1,
                          NULL, NULL, 2, '72.5 100 90 112', NULL, NULL),
                         (1, 4, 3, 3, NULL, NULL, '1000001', NULL, 9, 1, 300, NULL, NULL, NULL,
                          '1|100000', 'hunch', NULL, NULL, '其他', '合计');",
        )
        .unwrap();
        let store = Store::init(conn).unwrap();
        type Row = (
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Row> = store
            .connection()
            .prepare(
                "SELECT key, value_text, raw, unit, candidates, evidence, page, box, row_label,
                        column_label, grid_row
                 FROM cells WHERE report_id = 1 ORDER BY position",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let text = |s: &str| Some(s.to_owned());
        assert_eq!(
            rows,
            [
                (
                    "applications.granted.total".to_owned(),
                    text("7"),
                    text("17000"),
                    "件".to_owned(),
                    None,
                    text("form"),
                    None,
                    None,
                    None,
                    None,
                    None
                ),
                (
                    "applications.new_received.total".to_owned(),
                    text("17"),
                    text("17000"),
                    "件".to_owned(),
                    None,
                    text("narrative"),
                    None,
                    None,
                    None,
                    None,
                    None
                ),
                (
                    "active.fees.amount_wan".to_owned(),
                    text("1.5"),
                    text("1.5"),
                    "元".to_owned(),
                    None,
                    None,
                    Some(2),
                    text("72.5 100 90 112"),
                    None,
                    None,
                    Some(3)
                ),
                (
                    "extra.appeals.其他.合计".to_owned(),
                    None,
                    text("1000001"),
                    "件".to_owned(),
                    text("1|100000"),
                    None,
                    None,
                    None,
                    text("其他"),
                    text("合计"),
                    None
                ),
            ],
            "the view gives every column of the version 8 rows back"
        );
        let codes: Vec<i64> = store
            .connection()
            .prepare("SELECT status_code FROM cell_values ORDER BY position")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            codes,
            [32, 64, 8, 3 + 96],
            "an evidence this version does not know stays, as bits it refuses to read"
        );
        let details: i64 = store
            .connection()
            .query_row("SELECT count(*) FROM cell_details", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            details, 2,
            "only the PDF cell and the extra cell have details"
        );
    }
}
