//! Markdown table checks, shared by `tests/reports.rs` and the unit tests of
//! `src/report/markdown.rs` (which include this file by `#[path]`), so it
//! uses nothing but `std`.

/// Checks that every table row has as many cells as the table's first row
/// (pipes in values do not split cells, and no line of a table is broken);
/// returns the number of table rows seen.
pub fn assert_tables_well_formed(md: &str) -> usize {
    let mut columns: Option<usize> = None;
    let mut rows = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        rows += 1;
        let cells = cell_count(line);
        match columns {
            None => columns = Some(cells),
            Some(n) => assert_eq!(n, cells, "row with wrong cell count: {line}"),
        }
    }
    rows
}

/// The cells of a table row: its unescaped `|`, less one.
pub fn cell_count(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
    }
    n - 1
}
