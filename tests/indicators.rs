//! The indicators of real reports against values computed by hand from their tables.

use xxgk::{Decimal, Indicator, Report};

fn parse(path: &str) -> Report {
    let bytes = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    xxgk::Parser::new().file_name(path).parse(&bytes).unwrap()
}

fn indicator<'a>(report: &'a Report, name: &str) -> &'a Indicator {
    report.indicators.iter().find(|i| i.name == name).unwrap()
}

fn exact(n: i64) -> Option<Decimal> {
    Some(Decimal::from_int(n))
}

#[test]
fn the_seed_gives_its_rates_and_null_for_a_zero_divisor() {
    let report = parse("fixtures/000_500855b189a022d6.txt");
    // 表三 总计: 12 received, none carried over; 10 granted, 0 in part, 1 + 1 unavailable.
    let disclosure = indicator(&report, "disclosure_rate");
    assert_eq!(
        (disclosure.numerator, disclosure.denominator),
        (exact(10), exact(12))
    );
    assert_eq!(disclosure.value, Some(10.0 / 12.0));
    assert_eq!(indicator(&report, "refusal_rate").value, Some(0.0));
    assert_eq!(
        indicator(&report, "unavailable_rate").value,
        Some(2.0 / 12.0)
    );
    let backlog = indicator(&report, "backlog");
    assert_eq!(
        (backlog.numerator, backlog.denominator),
        (exact(0), exact(12))
    );
    // No review and no lawsuit: 0 / 0 is no rate.
    let review = indicator(&report, "review_correction_rate");
    assert_eq!(review.value, None);
    assert_eq!((review.numerator, review.denominator), (exact(0), exact(0)));
    assert!(review.note.as_deref().unwrap().contains("zero"));
    assert_eq!(report.indicators.len(), xxgk::INDICATORS.len());
}

#[test]
fn blank_total_cells_make_the_rates_that_need_them_null() {
    let report = parse("fixtures/shanghai-gov-office-2019.html");
    // The page leaves the 总计 cells of 予以公开 and 部分公开 blank: no disclosure rate, although
    // the applications processed (805) are known.
    let disclosure = indicator(&report, "disclosure_rate");
    assert_eq!(disclosure.value, None);
    assert_eq!(disclosure.numerator, None);
    assert_eq!(disclosure.denominator, exact(805));
    let note = disclosure.note.as_deref().unwrap();
    assert!(
        note.contains("applications.granted.total is blank"),
        "{note}"
    );
    // 结转下年度 72 over 859 new and 18 carried over.
    let backlog = indicator(&report, "backlog");
    assert_eq!(
        (backlog.numerator, backlog.denominator),
        (exact(72), exact(877))
    );
    assert_eq!(backlog.value, Some(72.0 / 877.0));
    // 行政复议: 7 in all, 2 pending, 结果纠正 blank.
    let review = indicator(&report, "review_correction_rate");
    assert_eq!((review.numerator, review.denominator), (None, exact(5)));
    assert_eq!(review.value, None);
}
