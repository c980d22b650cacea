//! Running the `xxgk` binary in a folder of its own (for the tests of the command line).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `xxgk ARGS` in `dir`.
pub fn xxgk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("xxgk runs")
}

/// A fresh directory under the target directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
