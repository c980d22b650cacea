//! `xxgk`: parse, check and import government information-disclosure annual reports.
//!
//! A thin shell over the library: every command reads files, calls `xxgk::Parser`, and prints.

mod export;
mod import;
mod output;

use clap::{Parser as ClapParser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapParser)]
#[command(
    name = "xxgk",
    version,
    about = "Read 政府信息公开工作年度报告 into exact, checked data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse one report and print it (JSON by default).
    Parse {
        /// The report file, or `-` for standard input.
        file: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        #[command(flatten)]
        input: InputOptions,
    },
    /// Import files and folders (recursively) into the SQLite database, in parallel, then print a
    /// summary. Every file gets one row in the `files` table; unchanged files are skipped.
    Import {
        /// Files and folders to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The database file (created if missing).
        #[arg(long, default_value = "xxgk.sqlite")]
        db: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Largest file parsed, in bytes; larger files are recorded as failed.
        #[arg(long, default_value_t = xxgk::DEFAULT_MAX_SIZE)]
        max_size: u64,
    },
    /// Export the database: one row per report (csv-wide), one row per cell (csv-long), or one JSON
    /// object per report (jsonl).
    Export {
        /// The database file.
        #[arg(long, default_value = "xxgk.sqlite")]
        db: PathBuf,
        /// The output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check one report's consistency rules: exit 0 when none fails, 1 when one does, 2 when the
    /// input cannot be read as a report.
    Check {
        /// The report file, or `-` for standard input.
        file: PathBuf,
        /// Also print informational findings (rules not assessable, values recovered).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        input: InputOptions,
    },
}

#[derive(clap::Args)]
struct InputOptions {
    /// Decode text with this encoding (e.g. gbk, utf-16le) instead of detecting it.
    #[arg(long)]
    encoding: Option<String>,
    /// Read the input as this format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
}

#[derive(Clone, Copy, ValueEnum)]
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
    /// One row per report, a column per canonical key (2019 and 2021 keys side by side).
    CsvWide,
    /// One row per cell.
    CsvLong,
    /// One JSON object per report.
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Text,
    Markdown,
    Html,
    Docx,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xxgk: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse {
            file,
            format,
            input,
        } => {
            let report = match parse_file(&file, &input) {
                Ok(report) => report,
                Err(err) => return Ok(refused(&file, &err)),
            };
            let mut stdout = std::io::stdout().lock();
            match format {
                OutputFormat::Json => output::json(&report, &mut stdout)?,
                OutputFormat::Cells => output::cells(&report, &mut stdout)?,
                OutputFormat::Text => output::text(&report, &mut stdout)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            paths,
            db,
            jobs,
            max_size,
        } => {
            let options = import::ImportOptions {
                paths,
                db,
                jobs,
                max_size,
            };
            let stats = import::run(&options)?;
            import::print_summary(&options.db, &stats, &mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { db, format, out } => {
            if !db.exists() {
                anyhow::bail!("no database at {} (run `xxgk import` first)", db.display());
            }
            let store = xxgk::store::Store::open(&db)?;
            let sink: Box<dyn std::io::Write> = match &out {
                Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            match format {
                ExportFormat::CsvWide => export::csv_wide(&store, sink)?,
                ExportFormat::CsvLong => export::csv_long(&store, sink)?,
                ExportFormat::Jsonl => export::jsonl(&store, sink)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { file, all, input } => {
            let report = match parse_file(&file, &input) {
                Ok(report) => report,
                Err(err) => return Ok(refused(&file, &err)),
            };
            output::findings(&report, all, &mut std::io::stdout().lock())?;
            Ok(if report.has_failed_rules() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// True when output went to a pipe that was closed (`xxgk parse … | head`): not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Prints why a file is not a report and gives exit code 2.
fn refused(file: &std::path::Path, err: &xxgk::Error) -> ExitCode {
    eprintln!("xxgk: {}: {err}", file.display());
    ExitCode::from(2)
}

fn parse_file(file: &std::path::Path, input: &InputOptions) -> xxgk::Result<xxgk::Report> {
    let mut parser = xxgk::Parser::new();
    if let Some(encoding) = &input.encoding {
        parser = parser.encoding(encoding.clone());
    }
    if let Some(format) = input.input_format {
        parser = parser.format(match format {
            InputFormat::Text => xxgk::Format::Text,
            InputFormat::Markdown => xxgk::Format::Markdown,
            InputFormat::Html => xxgk::Format::Html,
            InputFormat::Docx => xxgk::Format::Docx,
        });
    }
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        parser.parse(&bytes)
    } else {
        parser.parse_path(file)
    }
}
