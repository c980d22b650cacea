//! Parses one file many times, for profiling (`valgrind --tool=callgrind`, `perf`) and for
//! `bench/vs-python.sh`: `cargo run --release --example parse_loop -- FILE [TIMES]`.
//!
//! Prints the first parse's time (which builds the label automata and compiles the patterns) and
//! the mean of the rest.

/// The allocator the `xxgk` binary uses, so that the loop measures what the command does.
#[cfg(feature = "cli")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_loop FILE [TIMES]");
        std::process::exit(2);
    };
    let n: u32 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
        .max(1);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("{path}: {err}");
            std::process::exit(1);
        }
    };
    let first = std::time::Instant::now();
    let parsed = xxgk::parse(&bytes);
    let first = first.elapsed();
    if let Err(err) = &parsed {
        eprintln!("{path}: {err}");
        std::process::exit(1);
    }
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(xxgk::parse(std::hint::black_box(&bytes)).ok());
    }
    let per = start.elapsed() / n;
    println!("{per:?} per parse ({n} parses; the first took {first:?})");
}
