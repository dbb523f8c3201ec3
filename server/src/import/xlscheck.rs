//! XLS (Excel 97-2003) workbooks checked before calamine reads them. calamine's compound-file
//! reader follows sector chains without loop checks and its BIFF reader reserves what the file
//! declares, then lays every sheet out as a full grid at open, so a 2 KB file can ask for
//! terabytes. Here the `cfb` crate (which validates chains) takes the workbook stream out,
//! through the part cap; its records are walked for cell positions and sheet extents; and
//! calamine gets a fresh compound file holding that one stream, its Dimensions records zeroed.
//! Those only size calamine's first reservation, and writers get them wrong (real forms
//! declare 1,048,576 rows, an XLSX sheet's, or a span of formatted blank cells): calamine's
//! grid grows from the cells it reads, which are bounded here.
//!
//! Limits: BIFF8's columns (256), and the sheets' grids (the span from the first to the last
//! cell with a value: calamine skips blank cells) together at most `max_part_bytes / 32`
//! cells, 32 bytes being what calamine keeps per grid cell.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek, Write};

use super::bounds::{WorkbookLimits, cell_name, mib, thousands};

/// BIFF8's last column (1-based, `IV`).
const XLS_MAX_COLUMNS: u64 = 256;
/// Bytes calamine keeps per cell of a sheet's grid.
const GRID_CELL_BYTES: u64 = 32;

/// Checks an XLS and returns a clean compound file holding only its workbook stream.
pub fn check<R: Read + Seek>(reader: R, limits: &WorkbookLimits) -> Result<Vec<u8>, String> {
    let mut cfb =
        cfb::CompoundFile::open(reader).map_err(|e| format!("not a readable XLS file: {e}"))?;
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|n| cfb.is_stream(n))
        .ok_or("the file holds no workbook stream")?;
    let mut stream = Vec::new();
    cfb.open_stream(name)
        .and_then(|s| s.take(limits.max_part_bytes + 1).read_to_end(&mut stream))
        .map_err(|e| format!("reading the workbook stream: {e}"))?;
    if stream.len() as u64 > limits.max_part_bytes {
        return Err(format!(
            "the workbook stream is over {} (the limit of a workbook part)",
            mib(limits.max_part_bytes)
        ));
    }
    for (at, len) in check_records(&stream, limits)? {
        stream[at..at + len].fill(0);
    }
    // Version 3 (512-byte sectors): calamine refuses a version 4 file whose root entry holds
    // no mini stream.
    let mut clean =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
            .map_err(|e| format!("copying the workbook: {e}"))?;
    let mut out = clean
        .create_stream("/Workbook")
        .map_err(|e| format!("copying the workbook: {e}"))?;
    out.write_all(&stream)
        .and_then(|()| out.flush())
        .map_err(|e| format!("copying the workbook: {e}"))?;
    drop(out);
    clean
        .flush()
        .map_err(|e| format!("copying the workbook: {e}"))?;
    Ok(clean.into_inner().into_inner())
}

/// One sheet's extent: the span of its cells and its declared dimensions.
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    fn add(&mut self, row: u64, col: u64) {
        let widen = |span: &mut Option<(u64, u64)>, v: u64| {
            *span = Some(span.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        };
        widen(&mut self.rows, row);
        widen(&mut self.cols, col);
    }

    fn cells(&self) -> u64 {
        let len = |s: Option<(u64, u64)>| s.map_or(0, |(lo, hi)| hi - lo + 1);
        len(self.rows) * len(self.cols)
    }
}

/// Walks the BIFF records: sheet names from BoundSheet8, then each sheet's cells. Returns where
/// the Dimensions records' data lie (offset, length), to be zeroed.
fn check_records(stream: &[u8], limits: &WorkbookLimits) -> Result<Vec<(usize, usize)>, String> {
    let mut dimensions = Vec::new();
    let mut names: HashMap<usize, String> = HashMap::new();
    let mut sheet = String::from("the workbook globals");
    let mut extent = Extent::default();
    let mut total = 0u64;
    let max_cells = limits.max_part_bytes / GRID_CELL_BYTES;
    let mut pos = 0usize;
    while pos + 4 <= stream.len() {
        let typ = u16_at(stream, pos);
        let len = usize::from(u16_at(stream, pos + 2));
        let data = &stream[pos + 4..(pos + 4 + len).min(stream.len())];
        match typ {
            0x0085 if data.len() >= 8 => {
                let at = u32_at(data, 0) as usize;
                names.insert(at, sheet_name(&data[6..]));
            }
            0x0809 => {
                total = total.saturating_add(extent.cells());
                extent = Extent::default();
                if let Some(name) = names.get(&pos) {
                    sheet = format!("sheet '{name}'");
                }
            }
            0x0200 => dimensions.push((pos + 4, data.len())),
            // Not Blank (0x0201) nor MulBlank (0x00BE): calamine keeps no cell for them.
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 if data.len() >= 4 => {
                let (row, col) = (u16_at(data, 0).into(), u16_at(data, 2).into());
                cell(&mut extent, &sheet, row, col)?;
            }
            0x00BD if data.len() >= 6 => {
                let row = u16_at(data, 0).into();
                cell(&mut extent, &sheet, row, u16_at(data, 2).into())?;
                cell(
                    &mut extent,
                    &sheet,
                    row,
                    u16_at(data, data.len() - 2).into(),
                )?;
            }
            _ => {}
        }
        if total.saturating_add(extent.cells()) > max_cells {
            return Err(format!(
                "{sheet}: the workbook's sheets span more than {} cells (at most {} in memory)",
                thousands(max_cells),
                mib(limits.max_part_bytes)
            ));
        }
        pos += 4 + len;
    }
    Ok(dimensions)
}

fn cell(extent: &mut Extent, sheet: &str, row: u64, col: u64) -> Result<(), String> {
    if col >= XLS_MAX_COLUMNS {
        return Err(format!(
            "{sheet}, cell {}: column beyond IV ({} columns)",
            cell_name(row, col),
            XLS_MAX_COLUMNS
        ));
    }
    extent.add(row, col);
    Ok(())
}

/// A BoundSheet8 name: `cch`, a flags byte (bit 0: UTF-16), the characters.
fn sheet_name(data: &[u8]) -> String {
    let Some((&cch, rest)) = data.split_first() else {
        return String::new();
    };
    let cch = usize::from(cch);
    match rest.split_first() {
        Some((&flags, chars)) if flags & 1 == 1 => {
            let units: Vec<u16> = chars
                .chunks_exact(2)
                .take(cch)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Some((_, chars)) => chars.iter().take(cch).map(|b| char::from(*b)).collect(),
        None => String::new(),
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
