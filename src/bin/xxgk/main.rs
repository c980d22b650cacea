//! `xxgk`: parse, check and import government information-disclosure annual reports.
//!
//! A thin shell over the library: every command reads files, calls `xxgk::Parser`, and prints.
//!
//! Exit codes, for every command:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done (`check`: no rule fails) |
//! | 1 | `check`: a consistency rule fails in a report |
//! | 2 | the command line is wrong (unknown option, missing argument) |
//! | 3 | an input is not a report, or cannot be read as one (`import`: no file of the run could be) |
//! | 4 | an input cannot be read at all: it does not exist, is a folder, a pipe or a device |
//! | 5 | the database or the output cannot be written (a full disk, a database another program locks) |

mod export;
mod import;
mod keys;
mod output;
#[cfg(feature = "parquet")]
mod parquet;
mod summary;
mod view;

use clap::{Parser as ClapParser, Subcommand, ValueEnum};

/// mimalloc: a parse makes thousands of small allocations, and the system allocator took a
/// seventh of a parse's instructions (and more under the threads of an import).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The exit codes of the table above.
mod exit {
    pub const RULE_FAILS: u8 = 1;
    pub const NOT_A_REPORT: u8 = 3;
    pub const UNREADABLE: u8 = 4;
    pub const CANNOT_WRITE: u8 = 5;
}

#[derive(ClapParser)]
#[command(
    name = "xxgk",
    version,
    about = "Read 政府信息公开工作年度报告 into exact, checked data",
    after_help = "Exit codes: 0 done; 1 check: a rule fails; 2 wrong command line; 3 not a report; \
                  4 an input cannot be read; 5 the database or output cannot be written."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse reports and print them: one JSON record for one file, JSON Lines for several.
    Parse {
        /// Report files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What to print.
        #[arg(short, long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// JSON on several lines (the default for one file on a terminal).
        #[arg(long, conflicts_with = "compact")]
        pretty: bool,
        /// JSON on one line (the default when the output is a pipe or a file).
        #[arg(long)]
        compact: bool,
        #[command(flatten)]
        input: InputOptions,
    },
    /// Check reports' consistency rules: exit 0 when none fails, 1 when one does, 3 when an input
    /// is not a report, 4 when it cannot be read.
    Check {
        /// Report files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also print informational findings (rules not assessable, values recovered).
        #[arg(short, long)]
        all: bool,
        /// Print nothing: the exit code says it.
        #[arg(short, long)]
        quiet: bool,
        #[command(flatten)]
        input: InputOptions,
    },
    /// Import files and folders (recursively) into the SQLite database, in parallel, then print a
    /// summary. Every file gets one row in the `files` table; unchanged files are skipped; files
    /// that no longer exist are marked `missing`.
    Import {
        /// Files and folders to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The database file (created if missing).
        #[arg(long, default_value = "xxgk.sqlite")]
        db: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Largest file parsed (`64M`, `512K`, `1G` or bytes); larger files are recorded as failed.
        #[arg(long, value_parser = parse_size, default_value = "64M")]
        max_size: u64,
        /// Bytes of input parsed at once across workers; large files wait for their turn.
        #[arg(long, value_parser = parse_size, default_value = "2G")]
        memory: u64,
        /// Longest one file may take to parse, in seconds; a slower one is recorded as failed.
        #[arg(long, default_value_t = 60.0)]
        time_limit: f64,
        /// Delete the rows of files that no longer exist, instead of marking them `missing`.
        #[arg(long)]
        prune: bool,
        /// Print no progress, only the summary.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Export the database: one row per report (csv-wide), one row per cell (csv-long), one row
    /// per figure the reports' text restates (csv-narrative), or one JSON object per report (jsonl).
    Export {
        /// The database file.
        #[arg(long, default_value = "xxgk.sqlite")]
        db: PathBuf,
        /// The output format.
        #[arg(short, long, value_enum)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long, alias = "out")]
        output: Option<PathBuf>,
        /// Start CSV with a UTF-8 byte order mark, so that Excel shows the Chinese text.
        #[arg(long)]
        bom: bool,
        /// csv-wide: column names of at most 32 characters (Stata, SPSS, SAS), with FILE.labels.csv
        /// and a Stata FILE.do that labels them written beside the output.
        #[arg(long, requires = "output")]
        short_names: bool,
        /// csv-wide: a status column after each cell (number, blank, placeholder, ambiguous,
        /// unreadable, missing; absent for a key the report's tables do not have).
        #[arg(long)]
        cell_status: bool,
        /// csv-wide: every copy of a report read from several files, not only the chosen one.
        #[arg(long)]
        all_copies: bool,
    },
    /// An import at a glance: files by status and format, failure reasons, reports by year and
    /// template, rule failure rates, and plots (with --html, one self-contained page).
    Summary {
        /// The database file.
        #[arg(long, default_value = "xxgk.sqlite")]
        db: PathBuf,
        /// Write the summary as an HTML page with plots to this file.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// One report as a self-contained HTML page: metadata, sections, the three tables in the
    /// form's layout with every cell's status, the failed rules drawn on their cells, the findings.
    View {
        /// The report file; `-` reads standard input.
        report: PathBuf,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        input: InputOptions,
    },
    /// The codebook: every canonical key with its table, versions, Chinese labels, unit, rules and
    /// its counterpart in the other version; the rules; the indicators' formulas.
    Keys {
        /// The output format.
        #[arg(short, long, value_enum, default_value_t = KeysFormat::Csv)]
        format: KeysFormat,
        /// Only the keys of one version of the form.
        #[arg(long, value_enum)]
        version: Option<KeysVersion>,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum KeysFormat {
    /// One row per key.
    Csv,
    /// Keys, rules and indicators as one JSON object.
    Json,
    /// The codebook document (what `docs/codebook.md` holds).
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum KeysVersion {
    /// The 2019 form (国办公开办函〔2019〕60号).
    #[value(name = "2019")]
    V2019,
    /// The 2021 form (国办公开办函〔2021〕30号).
    #[value(name = "2021")]
    V2021,
}

#[derive(clap::Args)]
struct InputOptions {
    /// Decode text with this encoding (e.g. gbk, utf-16le) instead of detecting it.
    #[arg(long)]
    encoding: Option<String>,
    /// Read the input as this format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Largest input read (`64M`, `512K`, `1G` or bytes).
    #[arg(long, value_parser = parse_size, default_value = "64M")]
    max_size: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// The whole record as JSON (the schema in the README).
    Json,
    /// One CSV row per cell: key,value,raw,unit,line,column,status.
    Cells,
    /// A readable summary.
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One row per report (the chosen copy), its quality and indicators, a column per canonical
    /// key (2019 and 2021 keys side by side).
    CsvWide,
    /// One row per cell, of every copy.
    CsvLong,
    /// One row per figure the reports' text restates.
    CsvNarrative,
    /// One JSON object per report.
    Jsonl,
    /// One row per cell, of every copy, as Parquet (typed columns, exact decimals); needs `-o`.
    #[cfg(feature = "parquet")]
    ParquetLong,
    /// One row per report as Parquet, the columns of csv-wide; needs `-o`.
    #[cfg(feature = "parquet")]
    ParquetWide,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
}

/// A size with an optional unit: `64M`, `512k`, `1G`, `10MB`, `2MiB` (binary multiples) or bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (say 64M, 512K, 1G or a number of bytes)"))?;
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        other => return Err(format!("unknown size unit {other:?} (use K, M, G or T)")),
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(failure) if failure.is_broken_pipe() => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xxgk: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// An error that ends a command, with its exit code.
struct Failure {
    code: u8,
    message: String,
    broken_pipe: bool,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            broken_pipe: false,
        }
    }

    /// A failure to write the output or the database.
    fn writing(err: anyhow::Error) -> Failure {
        Failure {
            code: exit::CANNOT_WRITE,
            broken_pipe: is_broken_pipe(&err),
            message: format!("{err:#}"),
        }
    }

    fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Parse {
            files,
            format,
            output,
            pretty,
            compact,
            input,
        } => {
            let mut sink = open_output(output.as_deref())?;
            let several = files.len() > 1;
            let pretty = pretty
                || (!compact && !several && output.is_none() && std::io::stdout().is_terminal());
            let mut code = 0u8;
            let mut first = true;
            for file in &files {
                match parse_file(file, &input) {
                    Ok(report) => {
                        let written = match format {
                            OutputFormat::Json => output::json(&report, pretty, &mut sink),
                            OutputFormat::Cells if several => output::cells_of(
                                &report,
                                &file.display().to_string(),
                                std::mem::take(&mut first),
                                &mut sink,
                            ),
                            OutputFormat::Cells => output::cells(&report, &mut sink),
                            OutputFormat::Text => {
                                if several {
                                    writeln!(sink, "== {}", file.display())
                                        .map_err(anyhow::Error::from)
                                        .and_then(|()| output::text(&report, &mut sink))
                                } else {
                                    output::text(&report, &mut sink)
                                }
                            }
                        };
                        written.map_err(Failure::writing)?;
                    }
                    Err(failure) => {
                        eprintln!("xxgk: {}", failure.message);
                        code = code.max(failure.code);
                    }
                }
            }
            sink.flush()
                .map_err(|e| Failure::writing(anyhow::Error::from(e)))?;
            Ok(ExitCode::from(code))
        }
        Command::Check {
            files,
            all,
            quiet,
            input,
        } => {
            let mut stdout = std::io::stdout().lock();
            let several = files.len() > 1;
            let mut code = 0u8;
            for file in &files {
                match parse_file(file, &input) {
                    Ok(report) => {
                        if !quiet {
                            if several {
                                writeln!(stdout, "== {}", file.display())
                                    .map_err(|e| Failure::writing(e.into()))?;
                            }
                            output::findings(&report, all, &mut stdout)
                                .map_err(Failure::writing)?;
                        }
                        if report.has_failed_rules() {
                            code = code.max(exit::RULE_FAILS);
                        }
                    }
                    Err(failure) => {
                        if !quiet {
                            eprintln!("xxgk: {}", failure.message);
                        }
                        code = code.max(failure.code);
                    }
                }
            }
            Ok(ExitCode::from(code))
        }
        Command::Import {
            paths,
            db,
            jobs,
            max_size,
            memory,
            time_limit,
            prune,
            quiet,
        } => {
            let options = import::ImportOptions {
                paths,
                db,
                jobs,
                max_size,
                memory,
                time_limit: Duration::from_secs_f64(time_limit.max(0.001)),
                prune,
                quiet,
            };
            let stats = match import::run(&options) {
                Ok(stats) => stats,
                Err(import::ImportError::Input { path, reason }) => {
                    return Err(Failure::new(
                        exit::UNREADABLE,
                        format!("{path}: {reason}; nothing was imported"),
                    ))
                }
                Err(import::ImportError::Store(err)) => {
                    return Err(Failure::new(exit::CANNOT_WRITE, format!("{err:#}")))
                }
            };
            import::print_summary(&options.db, &stats, &mut std::io::stdout().lock())
                .map_err(Failure::writing)?;
            let nothing_imported = stats.processed > 0 && stats.failed == stats.processed;
            Ok(ExitCode::from(if nothing_imported {
                exit::NOT_A_REPORT
            } else {
                0
            }))
        }
        Command::Export {
            db,
            format,
            output,
            bom,
            short_names,
            cell_status,
            all_copies,
        } => {
            let store = open_database(&db)?;
            let csv = export::CsvOptions { bom };
            let wide = export::WideOptions {
                csv: csv.clone(),
                short_names,
                cell_status,
                all_copies,
            };
            let text = || open_output(output.as_deref());
            match format {
                ExportFormat::CsvWide => export::csv_wide(&store, text()?, &wide),
                ExportFormat::CsvLong => export::csv_long(&store, text()?, &csv),
                ExportFormat::CsvNarrative => export::csv_narrative(&store, text()?, &csv),
                ExportFormat::Jsonl => export::jsonl(&store, text()?),
                #[cfg(feature = "parquet")]
                ExportFormat::ParquetLong => {
                    parquet::long(&store, binary_output(output.as_deref())?)
                }
                #[cfg(feature = "parquet")]
                ExportFormat::ParquetWide => {
                    parquet::wide(&store, binary_output(output.as_deref())?, &wide)
                }
            }
            .map_err(Failure::writing)?;
            if let (true, ExportFormat::CsvWide, Some(path)) = (short_names, format, &output) {
                let (labels, stata) = export::wide_labels(path, &wide).map_err(Failure::writing)?;
                eprintln!(
                    "xxgk: column labels in {}, a Stata do-file in {}",
                    labels.display(),
                    stata.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Summary { db, html } => {
            let store = open_database(&db)?;
            let figures = summary::Summary::read(&store).map_err(Failure::writing)?;
            match html {
                Some(path) => {
                    let page = figures
                        .html(&db.display().to_string())
                        .map_err(Failure::writing)?;
                    let mut sink = open_output(Some(&path))?;
                    sink.write_all(page.as_bytes())
                        .and_then(|()| sink.flush())
                        .map_err(|e| Failure::writing(e.into()))?;
                }
                None => {
                    let mut out = std::io::stdout().lock();
                    figures.text(&mut out).map_err(Failure::writing)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::View {
            report,
            output,
            input,
        } => {
            let parsed = parse_file(&report, &input)?;
            let source = if report.as_os_str() == "-" {
                Vec::new()
            } else {
                std::fs::read(&report).unwrap_or_default()
            };
            let html = view::page(&parsed, &source, &report.display().to_string());
            let mut sink = open_output(output.as_deref())?;
            sink.write_all(html.as_bytes())
                .and_then(|()| sink.flush())
                .map_err(|e| Failure::writing(e.into()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            format,
            version,
            output,
        } => {
            let template = version.map(|v| match v {
                KeysVersion::V2019 => xxgk::Template::V2019,
                KeysVersion::V2021 => xxgk::Template::V2021,
            });
            let sink = open_output(output.as_deref())?;
            match format {
                KeysFormat::Csv => keys::csv(template, sink),
                KeysFormat::Json => keys::json(template, sink),
                KeysFormat::Markdown => keys::markdown(template, sink),
            }
            .map_err(Failure::writing)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An import's database, which must exist.
fn open_database(db: &Path) -> Result<xxgk::store::Store, Failure> {
    if !db.exists() {
        return Err(Failure::new(
            exit::UNREADABLE,
            format!("no database at {} (run `xxgk import` first)", db.display()),
        ));
    }
    xxgk::store::Store::open(db).map_err(|e| {
        Failure::new(
            exit::CANNOT_WRITE,
            format!("cannot open {}: {e}", db.display()),
        )
    })
}

/// The output file, or standard output, buffered.
fn open_output(path: Option<&Path>) -> Result<Box<dyn Write>, Failure> {
    Ok(match path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| {
                Failure::new(
                    exit::CANNOT_WRITE,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// The file a binary export is written to: one must be named.
#[cfg(feature = "parquet")]
fn binary_output(path: Option<&Path>) -> Result<std::io::BufWriter<std::fs::File>, Failure> {
    let Some(path) = path else {
        return Err(Failure::new(
            2,
            "a Parquet export is binary: name the file to write with -o FILE.parquet",
        ));
    };
    let file = std::fs::File::create(path).map_err(|e| {
        Failure::new(
            exit::CANNOT_WRITE,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(std::io::BufWriter::new(file))
}

/// True when output went to a pipe that was closed (`xxgk parse … | head`): not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            || cause.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Reads and parses one input; the failure says what to do about it.
fn parse_file(file: &Path, input: &InputOptions) -> Result<xxgk::Report, Failure> {
    let mut parser = xxgk::Parser::new().max_size(input.max_size);
    if let Some(encoding) = &input.encoding {
        parser = parser.encoding(encoding.clone());
    }
    if let Some(format) = input.input_format {
        parser = parser.format(match format {
            InputFormat::Text => xxgk::Format::Text,
            InputFormat::Markdown => xxgk::Format::Markdown,
            InputFormat::Html => xxgk::Format::Html,
            InputFormat::Docx => xxgk::Format::Docx,
            InputFormat::Pdf => xxgk::Format::Pdf,
        });
    }
    let shown = file.display();
    let bytes = if file.as_os_str() == "-" {
        read_limited(std::io::stdin().lock(), input.max_size, None)
            .map_err(|e| Failure::new(exit::UNREADABLE, format!("standard input: {e}")))?
    } else {
        let metadata = std::fs::metadata(file)
            .map_err(|e| Failure::new(exit::UNREADABLE, format!("{shown}: {e}")))?;
        if metadata.is_dir() {
            return Err(Failure::new(
                exit::UNREADABLE,
                format!("{shown} is a folder: `xxgk import {shown}` reads every file in it"),
            ));
        }
        if !metadata.is_file() {
            return Err(Failure::new(
                exit::UNREADABLE,
                format!(
                    "{shown} is not a regular file (a pipe or a device): give its content on standard input with `-`"
                ),
            ));
        }
        if metadata.len() > input.max_size {
            return Err(Failure::new(
                exit::NOT_A_REPORT,
                format!(
                    "{shown}: {} bytes, over the limit of {} (raise it with --max-size)",
                    metadata.len(),
                    input.max_size
                ),
            ));
        }
        let handle = std::fs::File::open(file)
            .map_err(|e| Failure::new(exit::UNREADABLE, format!("{shown}: {e}")))?;
        read_limited(handle, input.max_size, Some(metadata.len()))
            .map_err(|e| Failure::new(exit::UNREADABLE, format!("{shown}: {e}")))?
    };
    if let Some(name) = file.file_name().filter(|_| file.as_os_str() != "-") {
        parser = parser.file_name(name.to_string_lossy());
    }
    parser.parse(&bytes).map_err(|err| {
        let advice = match err.kind() {
            xxgk::ErrorKind::TooLarge { .. } => " (raise it with --max-size)",
            _ => "",
        };
        Failure::new(exit::NOT_A_REPORT, format!("{shown}: {err}{advice}"))
    })
}

/// Reads at most `limit + 1` bytes: enough to tell that an input is over the limit without
/// reading all of it. `expected` (a file's size) sizes the buffer once instead of doubling it.
pub(crate) fn read_limited(
    reader: impl Read,
    limit: u64,
    expected: Option<u64>,
) -> std::io::Result<Vec<u8>> {
    let capacity = expected.map_or(0, |size| size.min(limit).saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("2 MB"), Ok(2 << 20));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10X").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
