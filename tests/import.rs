//! `xxgk import` and `xxgk export`: every file accounted for, idempotent, resumable.

mod common;

use common::command::{scratch, xxgk};
use rusqlite::Connection;
use std::path::Path;
use std::process::{Command, Output};

/// The corpus fixtures, the seed, and junk: empty, binary, not-a-report, a PDF, a broken DOCX.
fn mixed_tree(root: &Path) -> usize {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let tree = root.join("tree");
    std::fs::create_dir_all(tree.join("junk/deeper")).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, tree.join(path.file_name().unwrap())).unwrap();
            count += 1;
        }
    }
    let docx = std::fs::read(fixtures.join("pingtan-2024.docx")).unwrap();
    let junk: [(&str, Vec<u8>); 6] = [
        ("junk/empty.txt", Vec::new()),
        (
            "junk/random.bin",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
        ),
        (
            "junk/note.txt",
            "会议通知：明天上午开会。".as_bytes().to_vec(),
        ),
        (
            "junk/deeper/scan.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj".to_vec(),
        ),
        ("junk/deeper/broken.docx", docx[..docx.len() / 3].to_vec()),
        (
            "junk/deeper/old.doc",
            [
                &[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0u8; 512][..],
            ]
            .concat(),
        ),
    ];
    for (name, bytes) in junk {
        std::fs::write(tree.join(name), bytes).unwrap();
        count += 1;
    }
    count
}

/// The path the database stores for a file of a test's directory: absolute, links resolved.
fn absolute(dir: &Path, relative: &str) -> String {
    std::fs::canonicalize(dir)
        .unwrap()
        .join(relative)
        .display()
        .to_string()
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn every_file_is_accounted_for_and_a_second_run_adds_nothing() {
    let dir = scratch("import-accounting");
    let files = mixed_tree(&dir);
    let out = xxgk(
        &["import", "tree", "--db", "db.sqlite", "--jobs", "2"],
        &dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dir.join("db.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), files as i64);
    assert_eq!(count(&db, "SELECT count(*) FROM files WHERE status = 'failed' AND (reason IS NULL OR reason = '')"), 0);
    // pingtan-2022's text contradicts its table (X2): the summary counts it among failing rules.
    let summary = String::from_utf8_lossy(&out.stdout);
    let failing = summary
        .lines()
        .find(|l| l.starts_with("rules failing most"))
        .unwrap_or_default();
    assert!(failing.contains("X2 2"), "{summary}");
    assert_eq!(
        count(&db, "SELECT count(DISTINCT report_id) FROM findings WHERE rule = 'X2' AND severity = 'warning'"),
        2
    );
    let failed = |path: &str| -> String {
        Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT status || ': ' || coalesce(reason, '') FROM files WHERE path = ?1",
                [absolute(&dir, path)],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(failed("tree/junk/empty.txt").contains("empty"));
    assert!(failed("tree/junk/random.bin").starts_with("failed"));
    assert!(failed("tree/junk/note.txt")
        .contains("not a government information disclosure annual report"));
    assert!(failed("tree/junk/deeper/scan.pdf").contains("PDF container cannot be read"));
    assert!(failed("tree/junk/deeper/broken.docx").contains("DOCX"));
    assert!(failed("tree/junk/deeper/old.doc").contains("libreoffice"));
    assert_eq!(failed("tree/000_500855b189a022d6.txt"), "ok: ");
    // PDFs are read like any other format; one that needs a password is failed, saying so.
    assert_eq!(failed("tree/huaian-2024.pdf"), "ok: ");
    assert!(failed("tree/encrypted-user-password.pdf").contains("encrypted PDF"));
    // A PDF's cells say where they are printed.
    let (page, bbox): (i64, String) = Connection::open(&db).unwrap().query_row(
        "SELECT page, box FROM cells c JOIN files f ON f.report_id = c.report_id WHERE f.path LIKE '%/tree/huaian-2024.pdf' AND key = 'appeals.review.total'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ).unwrap();
    assert_eq!(page, 5);
    assert_eq!(bbox.split(' ').count(), 4, "{bbox}");
    // The seed's cells are in the database, exactly.
    let seed_cells = count(&db, "SELECT count(*) FROM cells c JOIN files f ON f.report_id = c.report_id WHERE f.path LIKE '%/tree/000_500855b189a022d6.txt'");
    assert_eq!(seed_cells, 198);
    let amount: String = Connection::open(&db).unwrap().query_row(
        "SELECT value_text FROM cells c JOIN files f ON f.report_id = c.report_id WHERE f.path LIKE '%/tree/000_500855b189a022d6.txt' AND key = 'active.procurement.amount_yuan'",
        [],
        |r| r.get(0),
    ).unwrap();
    assert_eq!(amount, "486690");
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(
        summary.contains(&format!("files:       {files} in the database")),
        "{summary}"
    );

    // A second run reads nothing and changes nothing.
    let before = (
        count(&db, "SELECT count(*) FROM files"),
        count(&db, "SELECT count(*) FROM reports"),
        count(&db, "SELECT count(*) FROM cells"),
        count(&db, "SELECT count(*) FROM findings"),
    );
    let out = xxgk(&["import", "tree", "--db", "db.sqlite"], &dir);
    assert!(out.status.success());
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(
        summary.contains(&format!(
            "{files} files seen, 0 parsed, 0 unchanged, {files} skipped"
        )),
        "{summary}"
    );
    let after = (
        count(&db, "SELECT count(*) FROM files"),
        count(&db, "SELECT count(*) FROM reports"),
        count(&db, "SELECT count(*) FROM cells"),
        count(&db, "SELECT count(*) FROM findings"),
    );
    assert_eq!(before, after);
}

#[test]
fn a_parser_panic_is_caught_recorded_and_the_import_goes_on() {
    let dir = scratch("import-panic");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/a-good.txt"), common::seed()).unwrap();
    std::fs::write(
        dir.join("tree/b-bad.txt"),
        format!("{}\nPANIC-HERE\n", common::seed()),
    )
    .unwrap();
    std::fs::write(
        dir.join("tree/c-good.txt"),
        common::seed().replacen("0795-3274972", "0795-0000000", 1),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["import", "tree", "--db", "db.sqlite"])
        .env("XXGK_TEST_PANIC_MARKER", "PANIC-HERE")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dir.join("db.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 3);
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'ok'"),
        2
    );
    let reason: String = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT reason FROM files WHERE path LIKE '%/tree/b-bad.txt' AND status = 'failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        reason.contains("the parser panicked") && reason.contains("please report"),
        "{reason}"
    );
}

#[test]
fn a_changed_file_is_reimported_and_its_old_report_removed() {
    let dir = scratch("import-changed");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let seed = common::seed();
    std::fs::write(dir.join("tree/report.txt"), &seed).unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    let db = dir.join("db.sqlite");
    let value = |db: &Path| -> String {
        Connection::open(db).unwrap().query_row(
            "SELECT value_text FROM cells c JOIN files f ON f.report_id = c.report_id WHERE key = 'applications.new_received.total'",
            [],
            |r| r.get(0),
        ).unwrap()
    };
    assert_eq!(value(&db), "12");
    // Same size, new content: 12 → 13 (and the natural-person cell with it).
    let changed = seed.replacen("\t\u{a0}12\n", "\t\u{a0}13\n", 1).replacen(
        "\t12\n\n\t二、上年结转",
        "\t13\n\n\t二、上年结转",
        1,
    );
    assert_ne!(changed, seed);
    std::fs::write(dir.join("tree/report.txt"), &changed).unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    assert_eq!(value(&db), "13");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM reports"),
        1,
        "the old report is gone"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM cells"), 198);
    // 13 ≠ 12 + 0: the rule fails in the stored findings; the file has findings.
    assert!(
        count(
            &db,
            "SELECT count(*) FROM findings WHERE rule = 'R1' AND severity = 'error'"
        ) > 0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'findings'"),
        1
    );
}

/// `n` distinct reports: the seed with a different contact phone each.
fn many_reports(dir: &Path, n: usize) {
    let seed = common::seed();
    std::fs::create_dir_all(dir.join("many")).unwrap();
    for i in 0..n {
        let text = seed.replacen("0795-3274972", &format!("0795-{:07}", i), 1);
        std::fs::write(dir.join(format!("many/r{i:05}.txt")), text).unwrap();
    }
}

#[test]
fn an_import_killed_midway_is_completed_by_the_next_run_without_duplicates() {
    let dir = scratch("import-killed");
    let n = 1500;
    many_reports(&dir, n);
    let db = dir.join("db.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["import", "many", "--db", "db.sqlite", "--jobs", "1"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for some batches to be committed, then kill -9.
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let committed = Connection::open(&db)
            .ok()
            .and_then(|c| {
                c.query_row("SELECT count(*) FROM files", [], |r| r.get::<_, i64>(0))
                    .ok()
            })
            .unwrap_or(0);
        if committed > 0 || started.elapsed().as_secs() > 120 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let partial = count(&db, "SELECT count(*) FROM files");
    assert!(
        partial > 0 && partial < n as i64,
        "killed midway: {partial} of {n}"
    );
    // The partial database is consistent: every stored file has its report and all its cells.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM files WHERE status != 'failed' AND report_id IS NULL"
        ),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM cells c WHERE c.report_id = r.id) != 198"), 0);

    let out = xxgk(&["import", "many", "--db", "db.sqlite"], &dir);
    assert!(out.status.success());
    assert_eq!(count(&db, "SELECT count(*) FROM files"), n as i64);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT path) FROM files"),
        n as i64
    );
    assert_eq!(count(&db, "SELECT count(*) FROM reports"), n as i64);
    assert_eq!(count(&db, "SELECT count(*) FROM cells"), 198 * n as i64);
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'ok'"),
        n as i64
    );
}

#[test]
fn x1_compares_carried_over_with_last_years_carried_forward() {
    let dir = scratch("import-x1");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let seed = common::seed();
    std::fs::write(dir.join("tree/2020.txt"), &seed).unwrap();
    // The same agency's 2021 report: 上年结转·自然人 says 3, but 2020's 结转下年度 was 0.
    let next = seed.replace("2020年", "2021年").replacen(
        "二、上年结转政府信息公开申请数量\n\t\u{a0}0",
        "二、上年结转政府信息公开申请数量\n\t\u{a0}3",
        1,
    );
    std::fs::write(dir.join("tree/2021.txt"), next).unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    let db = dir.join("db.sqlite");
    let message: String = Connection::open(&db).unwrap().query_row(
        "SELECT message FROM findings f JOIN reports r ON r.id = f.report_id WHERE f.rule = 'X1' AND r.year = 2021",
        [],
        |r| r.get(0),
    ).unwrap();
    assert!(message.contains("自然人 3 ≠ 0"), "{message}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X1'"),
        1
    );
    // Re-running recomputes cross findings instead of adding them again.
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X1'"),
        1
    );
}

#[test]
fn exports_wide_long_and_jsonl() {
    let dir = scratch("import-export");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in [
        "000_500855b189a022d6.txt",
        "shuyang-fgj-2023.txt",
        "pingtan-2024.html",
        "pingtan-2024.txt",
    ] {
        std::fs::copy(fixtures.join(name), dir.join("tree").join(name)).unwrap();
    }
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());

    let wide = xxgk(
        &["export", "--db", "db.sqlite", "--format", "csv-wide"],
        &dir,
    );
    let wide = String::from_utf8(wide.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(wide.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // 2019 and 2021 keys side by side, never pooled.
    let (made, issued) = (
        column("active.regulations.made"),
        column("active.regulations.issued"),
    );
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    // 平潭 2024 as a page and as page text is one report: one row, both paths.
    assert_eq!(records.len(), 3);
    let pingtan = records
        .iter()
        .find(|r| r[column("agency")] == *"平潭综合实验区")
        .unwrap();
    assert_eq!(&pingtan[column("copies")], "1");
    let paths: Vec<&str> = pingtan[column("paths")].split(" | ").collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths[0].ends_with("pingtan-2024.html") && paths[1].ends_with("pingtan-2024.txt"));
    let seed = records
        .iter()
        .find(|r| r[column("paths")].ends_with("000_500855b189a022d6.txt"))
        .unwrap();
    // Quality and indicators beside the values; the stable id is the content hash.
    assert_eq!(seed[column("report")].len(), 64);
    assert_eq!(&seed[column("cells_found")], "198");
    assert_eq!(&seed[column("failed_rules")], "");
    assert_eq!(
        &seed[column("disclosure_rate")],
        (10.0f64 / 12.0).to_string()
    );
    assert_eq!(
        &seed[column("review_correction_rate")],
        "",
        "0 / 0 is no rate"
    );
    assert_eq!((&seed[made], &seed[issued]), ("0", ""));
    assert_eq!(&seed[column("active.procurement.amount_yuan")], "486690");
    let shuyang = records
        .iter()
        .find(|r| r[column("agency")] == *"沭阳县发展和改革局")
        .unwrap();
    assert_eq!(
        &shuyang[column("active.normative_documents.in_force")],
        "18"
    );
    assert_eq!(
        &shuyang[column("applications.new_received.commercial")],
        "",
        "blank, not zero"
    );

    let long = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "--format",
            "csv-long",
            "--out",
            "long.csv",
        ],
        &dir,
    );
    assert!(long.status.success());
    let long = std::fs::read_to_string(dir.join("long.csv")).unwrap();
    assert_eq!(long.lines().count(), 1 + 198 + 200 + 200 + 200);
    assert!(long
        .contains(",active.procurement.amount_yuan,active,number,486690,486690元,元,86,2,,,,\n"));
    // Values cut out of fused runs say what settled them: the form's sums, or the report's text.
    assert!(
        long.contains(
            ",active.normative_documents.issued,active,number,62,6233440,件,10,1404,,narrative,,\n"
        ),
        "{long}"
    );
    assert!(long.contains(",appeals.review.upheld,appeals,number,2,21317000001324019,件,"));

    let narrative = xxgk(
        &["export", "--db", "db.sqlite", "-f", "csv-narrative"],
        &dir,
    );
    let narrative = String::from_utf8(narrative.stdout).unwrap();
    assert!(narrative.starts_with(
        "report,chosen,path,agency,year,keys,value,scope,text,sentence,line,column\n"
    ));
    let shuyang_said = narrative
        .lines()
        .find(|l| l.contains("沭阳县发展和改革局"))
        .unwrap();
    assert!(
        shuyang_said.contains(",2023,applications.new_received.total,26,report,26件,"),
        "{shuyang_said}"
    );

    let jsonl = xxgk(&["export", "--db", "db.sqlite", "--format", "jsonl"], &dir);
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let shuyang = lines
        .iter()
        .find(|l| l["agency"] == "沭阳县发展和改革局")
        .unwrap();
    assert_eq!(
        shuyang["narrative"][0]["keys"][0],
        "applications.new_received.total"
    );
    assert_eq!(shuyang["narrative"][0]["value"], 26);
    let page = lines.iter().find(|l| l["format"] == "html").unwrap();
    assert_eq!(page["agency"], "平潭综合实验区");
    assert_eq!(page["cells"].as_array().unwrap().len(), 200);
    assert_eq!(page["sections"].as_array().unwrap().len(), 6);
}

/// Runs xxgk and kills it if it has not ended after `limit`: an import must never hang.
fn xxgk_within(
    args: &[&str],
    dir: &Path,
    envs: &[(&str, &str)],
    limit: std::time::Duration,
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xxgk runs");
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("xxgk {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_database_write_error_ends_the_import_with_a_clear_error() {
    let dir = scratch("import-write-error");
    many_reports(&dir, 600);
    // Every batch write fails (as on a full disk): the import must stop, say so, exit 5.
    let out = xxgk_within(
        &["import", "many", "--db", "db.sqlite", "--jobs", "2"],
        &dir,
        &[("XXGK_TEST_FAIL_WRITES", "1")],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write to the database"), "{stderr}");
    assert!(stderr.contains("full"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_imported_each_under_its_own_row() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("import-non-utf8");
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    // Two GBK names that differ only in bytes that are not UTF-8 (报告1, 报告2 in GBK).
    let names: [&[u8]; 2] = [b"\xb1\xa8\xb8\xe61.txt", b"\xb1\xa8\xb8\xe62.txt"];
    for name in names {
        std::fs::write(tree.join(std::ffi::OsStr::from_bytes(name)), common::seed()).unwrap();
    }
    let out = xxgk(&["import", "tree", "--db", "db.sqlite"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = dir.join("db.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 2);
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'ok'"),
        2
    );
    // The display form escapes the bytes; the key keeps them.
    let shown: Vec<String> = {
        let conn = Connection::open(&db).unwrap();
        let mut st = conn
            .prepare("SELECT path FROM files ORDER BY path")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(shown[0].ends_with("\\xB1\\xA8\\xB8\\xE61.txt"), "{shown:?}");
    let key: Vec<u8> = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT path_key FROM files ORDER BY path LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(key.ends_with(names[0]));
}

#[test]
fn a_file_named_in_different_ways_is_one_row() {
    let dir = scratch("import-canonical");
    std::fs::create_dir_all(dir.join("c/sub")).unwrap();
    std::fs::write(dir.join("c/sub/seed.txt"), common::seed()).unwrap();
    let absolute_dir = std::fs::canonicalize(dir.join("c")).unwrap();
    for target in ["c", "./c", "c/../c", absolute_dir.to_str().unwrap()] {
        let out = xxgk(&["import", target, "--db", "db.sqlite"], &dir);
        assert!(out.status.success(), "{target}");
    }
    // From another working directory, with another spelling of the database too.
    let out = xxgk(
        &["import", "../../c", "--db", "../../db.sqlite"],
        &dir.join("c/sub"),
    );
    assert!(out.status.success());
    assert_eq!(
        count(&dir.join("db.sqlite"), "SELECT count(*) FROM files"),
        1
    );
}

#[test]
fn deleted_files_are_marked_missing_and_left_out_of_exports() {
    let dir = scratch("import-missing");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/a.txt"), common::seed()).unwrap();
    std::fs::write(
        dir.join("tree/b.txt"),
        common::seed().replacen("0795-3274972", "0795-1111111", 1),
    )
    .unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    std::fs::remove_file(dir.join("tree/b.txt")).unwrap();
    let out = xxgk(&["import", "tree", "--db", "db.sqlite"], &dir);
    assert!(out.status.success());
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(
        summary.contains("1 files stored before no longer exist"),
        "{summary}"
    );
    let db = dir.join("db.sqlite");
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'missing'"),
        1
    );
    let export = xxgk(
        &["export", "--db", "db.sqlite", "--format", "csv-wide"],
        &dir,
    );
    let csv = String::from_utf8(export.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "a header and the one report that still exists"
    );
    assert!(!csv.contains("b.txt"));
    // It comes back when it reappears with the content it had (its report is the one stored);
    // with --prune a missing file's row goes.
    std::fs::write(
        dir.join("tree/b.txt"),
        common::seed().replacen("0795-3274972", "0795-1111111", 1),
    )
    .unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'missing'"),
        0
    );
    std::fs::remove_file(dir.join("tree/b.txt")).unwrap();
    assert!(
        xxgk(&["import", "tree", "--db", "db.sqlite", "--prune"], &dir)
            .status
            .success()
    );
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 1);
}

#[test]
fn two_imports_into_one_database_both_succeed() {
    let dir = scratch("import-concurrent");
    many_reports(&dir, 300);
    std::fs::create_dir_all(dir.join("other")).unwrap();
    for i in 0..300 {
        std::fs::write(
            dir.join(format!("other/o{i:04}.txt")),
            common::seed().replacen("0795-3274972", &format!("0795-{:07}", i + 5000), 1),
        )
        .unwrap();
    }
    let spawn = |tree: &str| {
        Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args([
                "import",
                tree,
                "--db",
                "db.sqlite",
                "--jobs",
                "1",
                "--quiet",
            ])
            .current_dir(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("many"), spawn("other"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let db = dir.join("db.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 600);
    assert_eq!(
        count(&db, "SELECT count(*) FROM files WHERE status = 'ok'"),
        600
    );
    assert_eq!(count(&db, "SELECT count(DISTINCT key) FROM cells"), 198);
}

#[test]
fn wrong_paths_exit_non_zero_and_write_no_row() {
    let dir = scratch("import-wrong-paths");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/a.txt"), common::seed()).unwrap();
    for (args, says) in [
        (vec!["import", "no-such-dir"], "No such file"),
        (vec!["import", "tree/*.txt"], "not expanded"),
        (vec!["import", "-"], "standard input"),
        (vec!["import", "tree", "typo"], "typo"),
    ] {
        let mut args = args.clone();
        args.extend(["--db", "db.sqlite"]);
        let out = xxgk(&args, &dir);
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // Nothing was written for any of them, not even the good path named with a typo.
    let db = dir.join("db.sqlite");
    assert!(!db.exists() || count(&db, "SELECT count(*) FROM files") == 0);
    // Every file failing is not success either.
    std::fs::create_dir_all(dir.join("junk")).unwrap();
    std::fs::write(dir.join("junk/a.txt"), "你好").unwrap();
    std::fs::write(dir.join("junk/b.bin"), [0u8, 1, 2, 3, 255, 254]).unwrap();
    let out = xxgk(&["import", "junk", "--db", "db.sqlite"], &dir);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn exported_text_cannot_run_as_a_spreadsheet_formula() {
    let dir = scratch("import-formula");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let seed = format!(
        "=1+1宜春市统计局2020年政府信息公开工作年度报告\n{}",
        common::seed()
    );
    std::fs::write(dir.join("tree/a.txt"), seed).unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite"], &dir)
        .status
        .success());
    let out = xxgk(&["export", "--db", "db.sqlite", "-f", "csv-wide"], &dir);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains(",'=1+1宜春市统计局2020年"), "{csv}");
    assert!(!csv.contains(",=1+1"));
}

/// Runs the system's `sqlite3` on a database. `None` when it is not installed, unless
/// `XXGK_REQUIRE_SQLITE3` is set (as `.ci/run` does, after installing it): then its absence fails.
fn system_sqlite3(db: &Path, sql: &str) -> Option<String> {
    match Command::new("sqlite3").arg(db).arg(sql).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(err) => {
            assert!(
                std::env::var_os("XXGK_REQUIRE_SQLITE3").is_none(),
                "sqlite3 is required here: {err}"
            );
            eprintln!("sqlite3 is not installed: the check by the system's SQLite is skipped");
            None
        }
    }
}

#[test]
fn the_database_passes_the_integrity_checks_of_the_bundled_and_the_system_sqlite() {
    let dir = scratch("import-integrity");
    mixed_tree(&dir);
    let out = xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let db = dir.join("db.sqlite");
    let conn = Connection::open(&db).unwrap();
    let bundled: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bundled, "ok");
    // The writer does not check each row's references (its batch makes them): none may dangle,
    // also after a re-import that changes a file's report and drops the one it had.
    let dangling = |conn: &Connection| -> Vec<String> {
        conn.prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(dangling(&conn), Vec::<String>::new());
    let reports_before: i64 = conn
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .unwrap();
    let seed = dir.join("tree/000_500855b189a022d6.txt");
    let mut bytes = std::fs::read(&seed).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&seed, bytes).unwrap();
    let out = xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let counts: (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM reports),
                    (SELECT count(DISTINCT report_id) FROM cell_values),
                    (SELECT count(*) FROM cell_values v
                      WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = v.report_id))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        counts.0, reports_before,
        "the changed seed's old report is gone"
    );
    assert_eq!(counts.2, 0, "and its cells with it: {counts:?}");
    assert_eq!(dangling(&conn), Vec::<String>::new());
    drop(conn);
    // Older SQLite (3.40, Debian 12) once called this schema corrupt: WITHOUT ROWID tables must
    // declare their key columns first.
    if let Some(report) = system_sqlite3(&db, "PRAGMA integrity_check; PRAGMA foreign_key_check;") {
        assert_eq!(report.trim(), "ok", "{report}");
    }
}

#[test]
fn a_version_1_database_is_migrated_keeping_its_rows() {
    let dir = scratch("import-migrate");
    let db = dir.join("db.sqlite");
    let conn = Connection::open(&db).unwrap();
    let schema = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/store-v1-schema.sql"),
    )
    .unwrap();
    conn.execute_batch(&schema).unwrap();
    conn.execute_batch(
        "INSERT INTO meta VALUES ('schema_version', '1');
         INSERT INTO reports (id, hash, template, year, agency, format, encoding, cells_found,
                              cells_expected, checks_passed, checks_failed,
                              checks_not_assessable, errors, warnings)
              VALUES (1, 'h1', '2019', 2020, '宜春市统计局', 'text', 'utf-8', 198, 198, 5, 1,
                      0, 1, 0);
         INSERT INTO files (path, size, status, report_id, imported_at)
              VALUES ('/old/宜春.txt', 11411, 'findings', 1, '2026-01-01T00:00:00Z');
         INSERT INTO findings (report_id, position, rule, severity, message, cells)
              VALUES (1, 0, 'R1', 'error', 'a real failure', '[]');
         INSERT INTO sections (report_id, position, number, title, text)
              VALUES (1, 0, 1, '总体情况', '2020年，宜春市统计局……'),
                     (1, 1, 2, '主动公开政府信息情况', '');
         INSERT INTO cell_keys (id, key) VALUES (1, 'applications.new_received.total'),
              (2, 'active.fees.amount_wan'), (3, 'applications.carried_over.total'),
              (4, 'appeals.review.total'), (5, 'applications.carried_forward.total'),
              (6, 'extra.applications.其他.合计');",
    )
    .unwrap();
    // Cells of every shape the compact rows of version 8 encode differently.
    let old_cells = [
        (
            1,
            "number",
            Some(62.0),
            Some("62"),
            Some("62"),
            "件",
            Some(10),
            None,
        ),
        (
            2,
            "number",
            Some(1.5),
            Some("1.5"),
            Some(" 1.5万元"),
            "万元",
            Some(11),
            None,
        ),
        (3, "blank", None, None, Some(""), "件", Some(12), None),
        (
            4,
            "ambiguous",
            None,
            None,
            Some("1000001"),
            "件",
            Some(13),
            Some("1|100000"),
        ),
        (5, "missing", None, None, None, "件", None, None),
        (
            6,
            "number",
            Some(9007199254740993.0),
            Some("9007199254740993"),
            Some("9007199254740993"),
            "元",
            Some(14),
            None,
        ),
    ];
    for (i, (key, status, value, text, raw, unit, line, candidates)) in old_cells.iter().enumerate()
    {
        conn.execute(
            "INSERT INTO cell_values (report_id, key_id, position, status, value, value_text, raw, unit, line, col, candidates)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
            rusqlite::params![key, i as i64, status, value, text, raw, unit, line, candidates],
        )
        .unwrap();
    }
    drop(conn);
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/seed.txt"), common::seed()).unwrap();
    let out = xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        count(
            &db,
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'"
        ),
        9
    );
    let conn = Connection::open(&db).unwrap();
    let sections: Vec<(i64, i64, String, String)> = conn
        .prepare("SELECT position, number, title, text FROM sections WHERE report_id = 1 ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        sections,
        [
            (
                0,
                1,
                "总体情况".to_owned(),
                "2020年，宜春市统计局……".to_owned()
            ),
            (1, 2, "主动公开政府信息情况".to_owned(), String::new()),
        ],
        "sections are carried into the rowid table of version 7"
    );
    type CellView = (
        String,
        Option<f64>,
        Option<String>,
        Option<String>,
        String,
        Option<i64>,
        Option<String>,
    );
    let cells: Vec<CellView> = conn
        .prepare("SELECT status, value, value_text, raw, unit, line, candidates FROM cells WHERE report_id = 1 ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<CellView> = old_cells
        .iter()
        .map(|(_, status, value, text, raw, unit, line, candidates)| {
            (
                status.to_string(),
                *value,
                text.map(String::from),
                raw.map(String::from),
                unit.to_string(),
                *line,
                candidates.map(String::from),
            )
        })
        .collect();
    assert_eq!(
        cells, expected,
        "the cells view gives the old rows back from the compact ones"
    );
    let stored: (i64, Option<String>) = conn
        .query_row(
            "SELECT status_code, value_text FROM cell_values WHERE report_id = 1 AND key_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored, (8, None), "62 stored as its value alone");
    let details: Vec<(i64, Option<String>)> = conn
        .prepare("SELECT key_id, candidates FROM cell_details WHERE report_id = 1 ORDER BY key_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        details,
        [(4, Some("1|100000".to_owned()))],
        "only the ambiguous cell has details: its candidates"
    );
    let agency_key: String = conn
        .query_row("SELECT agency_key FROM reports WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(agency_key, "宜春市统计局", "filled in on opening");
    let (path, key): (String, Vec<u8>) = conn
        .query_row(
            "SELECT path, path_key FROM files WHERE report_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(path, "/old/宜春.txt");
    assert_eq!(key, "/old/宜春.txt".as_bytes());
    let message: String = conn
        .query_row(
            "SELECT message FROM findings WHERE report_id = 1 AND rule = 'R1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(message, "a real failure");
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 2);
    if let Some(report) = system_sqlite3(&db, "PRAGMA integrity_check;") {
        assert_eq!(report.trim(), "ok");
    }
}

#[test]
fn a_file_over_the_time_limit_is_recorded_failed_and_a_small_memory_budget_still_reads_all() {
    let dir = scratch("import-limits");
    let files = mixed_tree(&dir);
    // A budget smaller than any report: files are parsed one at a time, none is left out.
    let out = xxgk(
        &[
            "import",
            "tree",
            "--db",
            "lean.sqlite",
            "-q",
            "-j",
            "2",
            "--memory",
            "1K",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lean = dir.join("lean.sqlite");
    assert_eq!(count(&lean, "SELECT count(*) FROM files") as usize, files);
    assert!(
        count(
            &lean,
            "SELECT count(*) FROM files WHERE status IN ('ok', 'findings')"
        ) >= 20
    );
    // A time limit no parse can meet: every report is recorded as failed, with the reason.
    let out = xxgk(
        &[
            "import",
            "tree",
            "--db",
            "slow.sqlite",
            "-q",
            "--time-limit",
            "0.000001",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(3), "every file failed: {out:?}");
    let slow = dir.join("slow.sqlite");
    assert_eq!(count(&slow, "SELECT count(*) FROM files") as usize, files);
    let timed_out = count(
        &slow,
        "SELECT count(*) FROM files WHERE status = 'failed' AND reason LIKE '%longer than the limit%'",
    );
    assert!(timed_out >= 20, "{timed_out}");
}

/// Copies `names` from fixtures/ into `dir/tree`.
fn tree_of(dir: &Path, names: &[&str]) {
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for name in names {
        std::fs::copy(fixtures.join(name), dir.join("tree").join(name)).unwrap();
    }
}

#[test]
fn copies_of_one_report_are_one_panel_row_and_a_copy_that_disagrees_is_x3() {
    let dir = scratch("import-copies");
    tree_of(
        &dir,
        &[
            "pingtan-2024.docx",
            "pingtan-2024.html",
            "pingtan-2024.txt",
            "pingtan-2022.html",
        ],
    );
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
        .status
        .success());
    let db = dir.join("db.sqlite");
    // Three files, three contents, one report: the Word file is chosen (all 200 cells read, and
    // docx keeps cell boundaries best), the page and the crawl are linked to it.
    assert_eq!(
        count(&db, "SELECT count(*) FROM reports WHERE year = 2024"),
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM reports r JOIN reports c ON c.id = r.copy_of
             WHERE r.year = 2024 AND c.format = 'docx'"
        ),
        2
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X3'"),
        0
    );
    let wide = xxgk(&["export", "--db", "db.sqlite", "-f", "csv-wide"], &dir);
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert_eq!(
        wide.lines().count(),
        1 + 2,
        "one row for 2024, one for 2022"
    );
    let all = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "-f",
            "csv-wide",
            "--all-copies",
        ],
        &dir,
    );
    assert_eq!(
        String::from_utf8(all.stdout).unwrap().lines().count(),
        1 + 4
    );

    // A copy of the page with one cell changed (规范性文件 现行有效 440 → 441) is still the same
    // report, and the disagreement is a finding on it and on the chosen copy, naming the cell.
    let page = std::fs::read_to_string(dir.join("tree/pingtan-2024.html")).unwrap();
    assert_eq!(page.matches(">440</p>").count(), 1);
    std::fs::write(
        dir.join("tree/pingtan-2024-mirror.html"),
        page.replace(">440</p>", ">441</p>"),
    )
    .unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
        .status
        .success());
    let conn = Connection::open(&db).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT r.format, f.message, f.cells FROM findings f JOIN reports r ON r.id = f.report_id
             WHERE f.rule = 'X3' ORDER BY r.format",
        )
        .unwrap();
    let x3: Vec<(String, String, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(x3.len(), 2, "{x3:?}");
    assert_eq!((x3[0].0.as_str(), x3[1].0.as_str()), ("docx", "html"));
    for (_, message, cells) in &x3 {
        assert_eq!(cells, r#"["active.normative_documents.in_force"]"#);
        assert!(message.contains("disagree on 1 cell"), "{message}");
    }
    assert!(x3[1].1.contains("441 here, 440 there"), "{}", x3[1].1);
    assert!(x3[0].1.contains("440 here, 441 there"), "{}", x3[0].1);
    assert!(x3[0].1.contains("pingtan-2024-mirror.html"), "{}", x3[0].1);
    let wide = xxgk(&["export", "--db", "db.sqlite", "-f", "csv-wide"], &dir);
    let wide = String::from_utf8(wide.stdout).unwrap();
    assert_eq!(wide.lines().count(), 1 + 2);
    let row = wide.lines().find(|l| l.contains(",2024,")).unwrap();
    assert!(
        row.contains(",X3,"),
        "the chosen copy's row says its copies disagree: {row}"
    );
}

#[test]
fn jsonl_holds_the_record_parse_prints() {
    let dir = scratch("import-jsonl");
    let names = [
        "000_500855b189a022d6.txt",
        "pingtan-2024.docx",
        "hongze-2023.pdf",
        "pingtan-2022.txt",
    ];
    tree_of(&dir, &names);
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
        .status
        .success());
    let jsonl = xxgk(&["export", "--db", "db.sqlite", "-f", "jsonl"], &dir);
    assert!(jsonl.status.success());
    let lines: Vec<String> = String::from_utf8(jsonl.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), names.len());
    for name in names {
        let path = dir.join("tree").join(name);
        let parsed = xxgk(&["parse", path.to_str().unwrap(), "--compact"], &dir);
        let parsed: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("/{name}\"")))
            .unwrap_or_else(|| panic!("{name}"));
        let mut exported: serde_json::Value = serde_json::from_str(line).unwrap();
        let object = exported.as_object_mut().unwrap();
        assert_eq!(object.remove("report").unwrap().as_str().unwrap().len(), 64);
        assert_eq!(object.remove("copy_of").unwrap(), serde_json::Value::Null);
        assert!(object.remove("files").unwrap().is_array());
        assert_eq!(exported, parsed, "{name}");
        // and it reads back into the library's type.
        let report: xxgk::Report = serde_json::from_str(line).unwrap();
        assert_eq!(report.schema_version, xxgk::SCHEMA_VERSION);
        assert!(!report.cells.is_empty());
    }
    // The crawl's recovered values: their notes are in the record, their cells say the evidence,
    // and the findings table leaves the notes out.
    let db = dir.join("db.sqlite");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM findings WHERE rule = 'cell.recovered'"
        ),
        0
    );
    assert!(count(&db, "SELECT count(*) FROM cells WHERE evidence = 'form'") > 100);
    assert!(lines
        .iter()
        .any(|l| l.contains("\"rule\":\"cell.recovered\"")));
}

#[test]
fn csv_wide_for_excel_and_stata() {
    let dir = scratch("import-stata");
    tree_of(
        &dir,
        &[
            "000_500855b189a022d6.txt",
            "shanghai-gov-office-2019.html",
            "pingtan-2021.txt",
            "shuyang-fgj-2023.txt",
        ],
    );
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
        .status
        .success());
    let out = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "-f",
            "csv-wide",
            "--bom",
            "--short-names",
            "--cell-status",
            "-o",
            "panel.csv",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    let bytes = std::fs::read(dir.join("panel.csv")).unwrap();
    assert!(
        bytes.starts_with("\u{feff}report,".as_bytes()),
        "a BOM, then the header"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    for name in header.iter() {
        assert!(name.len() <= 32, "{name}");
        assert!(
            name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{name} is not a Stata name"
        );
    }
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    // Value columns hold numbers or nothing, and their status says which nothing.
    for record in &records {
        for (i, name) in header.iter().enumerate() {
            if name.starts_with("t")
                && name.as_bytes().get(2) == Some(&b'_')
                && !name.ends_with("_s")
            {
                let status = &record[i + 1];
                match status {
                    "number" => assert!(
                        xxgk::Decimal::parse_ascii(&record[i]).is_some(),
                        "{name} {}",
                        &record[i]
                    ),
                    _ => assert_eq!(&record[i], "", "{name} is {status}"),
                }
            }
        }
    }
    let shanghai = records
        .iter()
        .find(|r| r[column("agency")].contains("上海"))
        .unwrap();
    assert_eq!(
        &shanghai[column("t3_r03_tot_s")],
        "blank",
        "予以公开·总计 is blank on the page"
    );
    assert_eq!(&shanghai[column("disclosure_rate")], "");
    let seed = records
        .iter()
        .find(|r| &r[column("agency")] == "宜春市统计局")
        .unwrap();
    assert_eq!(&seed[column("t3_r01_tot")], "12");
    assert_eq!(
        &seed[column("t2_reg_issued_s")],
        "absent",
        "a 2021 key in a 2019 report"
    );
    // The labels and the do-file name every column.
    let labels = std::fs::read_to_string(dir.join("panel.labels.csv")).unwrap();
    assert!(labels.contains("t3_r01_np,applications.new_received.natural_person,一、本年新收政府信息公开申请数量·自然人"));
    let stata = std::fs::read_to_string(dir.join("panel.do")).unwrap();
    assert!(stata.contains("import delimited using \"panel.csv\""));
    assert_eq!(stata.matches("label variable ").count(), header.len());
}

/// A report's content hash, the hash of the copy it is linked to, its (rule, cells) findings.
type ReportLinks = (String, Option<String>, Vec<(String, String)>);

/// What grouping and the year check concluded, in terms that do not depend on row ids: for each
/// report that a present file holds, the content hash of the copy it was linked to, and its
/// X1/X3 findings as (rule, cells).
fn cross_report_state(db: &Path) -> Vec<ReportLinks> {
    let conn = Connection::open(db).unwrap();
    let mut reports = conn
        .prepare(
            "SELECT r.id, r.hash, c.hash FROM reports r LEFT JOIN reports c ON c.id = r.copy_of
             WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
             ORDER BY r.hash",
        )
        .unwrap();
    let rows: Vec<(i64, String, Option<String>)> = reports
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut findings = conn
        .prepare(
            "SELECT rule, cells FROM findings WHERE report_id = ?1 AND source IN ('copies', 'cross')
             ORDER BY rule, cells",
        )
        .unwrap();
    rows.into_iter()
        .map(|(id, hash, chosen)| {
            let found = findings
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            (hash, chosen, found)
        })
        .collect()
}

#[test]
fn re_importing_a_changed_tree_links_copies_and_years_as_a_fresh_import_does() {
    let dir = scratch("import-incremental-groups");
    tree_of(
        &dir,
        &["pingtan-2024.docx", "pingtan-2024.html", "pingtan-2024.txt"],
    );
    let seed = common::seed();
    std::fs::write(dir.join("tree/2020.txt"), &seed).unwrap();
    let carried = |n: u32| {
        seed.replace("2020年", "2021年").replacen(
            "二、上年结转政府信息公开申请数量\n\t\u{a0}0",
            &format!("二、上年结转政府信息公开申请数量\n\t\u{a0}{n}"),
            1,
        )
    };
    std::fs::write(dir.join("tree/2021.txt"), carried(3)).unwrap();
    assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
        .status
        .success());
    let db = dir.join("db.sqlite");
    let before = cross_report_state(&db);
    assert_eq!(
        before
            .iter()
            .filter(|(_, chosen, _)| chosen.is_some())
            .count(),
        2,
        "the page and the crawl are copies of the Word file"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X1'"),
        1
    );

    // The 2021 report is corrected (its X1 goes), and a mirror of the page disagrees on a cell
    // (X3 on it and on the chosen copy).
    std::fs::write(dir.join("tree/2021.txt"), carried(0)).unwrap();
    let page = std::fs::read_to_string(dir.join("tree/pingtan-2024.html")).unwrap();
    std::fs::write(
        dir.join("tree/pingtan-2024-mirror.html"),
        page.replace(">440</p>", ">441</p>"),
    )
    .unwrap();
    let same_as_fresh = |name: &str| {
        assert!(xxgk(&["import", "tree", "--db", "db.sqlite", "-q"], &dir)
            .status
            .success());
        assert!(xxgk(&["import", "tree", "--db", name, "-q"], &dir)
            .status
            .success());
        let state = cross_report_state(&db);
        assert_eq!(state, cross_report_state(&dir.join(name)));
        state
    };
    let changed = same_as_fresh("fresh-1.sqlite");
    assert_ne!(changed, before);
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X1'"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM findings WHERE rule = 'X3'"),
        2
    );
    // Only a file going away: the Word file, the chosen copy, disappears, and the page or the
    // crawl is chosen in its place.
    std::fs::remove_file(dir.join("tree/pingtan-2024.docx")).unwrap();
    let gone = same_as_fresh("fresh-2.sqlite");
    assert_ne!(gone, changed);
    assert_eq!(count(&db, "SELECT count(*) FROM pending_groups"), 0);
}
