//! Parses one file many times, for profiling (`valgrind --tool=callgrind`, `perf`):
//! `cargo run --release --example parse_loop -- FILE [TIMES]`.

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).map_or(200, |s| s.parse().unwrap());
    let bytes = std::fs::read(path).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(xxgk::parse(&bytes).unwrap());
    }
    eprintln!("{:?} per parse", start.elapsed() / n as u32);
}
