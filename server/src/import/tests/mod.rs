//! Whole-file tests of the reader: the shared fixtures, hostile files, XLSX, and the
//! encoding × delimiter × locale property.

mod files;
mod fixtures;
mod props;
mod workbook;

use std::io::Cursor;
use std::path::PathBuf;

use terreno_shared::model::Currency;

use super::{FileError, ImportOptions, ImportRow, RowError, open};

/// Every row of a file in memory, split into good rows and errors.
fn read(bytes: impl Into<Vec<u8>>) -> Result<(Vec<ImportRow>, Vec<RowError>), FileError> {
    read_with(bytes, &ImportOptions::new(Currency::COP))
}

fn read_with(
    bytes: impl Into<Vec<u8>>,
    options: &ImportOptions,
) -> Result<(Vec<ImportRow>, Vec<RowError>), FileError> {
    let rows = open(Cursor::new(bytes.into()), options)?;
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for r in rows {
        match r {
            Ok(row) => good.push(row),
            Err(e) => bad.push(e),
        }
    }
    Ok((good, bad))
}

/// The shared fixtures folder, or `None` (with a skip line) where it is absent outside CI.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TERRENO_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
        PathBuf::from,
    );
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fixtures folder {} is missing",
        dir.display()
    );
    println!("skipped: fixtures folder {} is absent", dir.display());
    None
}
