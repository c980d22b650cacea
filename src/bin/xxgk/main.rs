//! `xxgk`: parse, check and import government information-disclosure annual reports.
//!
//! A thin shell over the library: every command reads files, calls `xxgk::Parser`, and prints.

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
enum InputFormat {
    Text,
    Markdown,
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
