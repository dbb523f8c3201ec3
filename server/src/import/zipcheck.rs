//! XLSX containers checked before calamine opens them. calamine inflates parts as it parses and
//! trusts what they say (a cell reference, a `uniqueCount` it reserves for), so every part is
//! first inflated here through a bound, into nothing, and scanned ([`super::xmlscan`]):
//!
//! - each part's declared and actual inflated size is at most the part cap, all parts together
//!   at most four times it (a 1 MB file inflating to 1 GiB stops at the cap);
//! - no XML token is over 1 MiB;
//! - every cell, row and dimension reference is inside Excel's grid, named with its sheet;
//! - the shared-string table, which calamine holds whole, fits the part cap once loaded.
//!
//! The scan holds one 64 KiB buffer and one tag. It must not keep what it inflates.

use std::collections::HashMap;
use std::io::{Read, Seek};

use zip::ZipArchive;

use super::bounds::{WorkbookLimits, mib, parse_ref, position_problem};
use super::xmlscan::{Tag, XmlScan, unescape};

/// Bytes a loaded shared string costs besides its text (a `String` and its allocation).
const STRING_OVERHEAD: u64 = 48;

/// Checks an XLSX and gives its reader back (at an unspecified position).
pub fn check<R: Read + Seek>(reader: R, limits: &WorkbookLimits) -> Result<R, String> {
    let mut zip = ZipArchive::new(reader).map_err(|e| format!("not a readable zip: {e}"))?;
    check_declared_sizes(&mut zip, limits)?;
    let sheets = sheet_names(&mut zip, limits)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else {
            // Encrypted or an unsupported method: calamine cannot read it either.
            continue;
        };
        let name = part.name().to_owned();
        let key = normalize(&name);
        let mut check = PartCheck::new(&name, sheets.get(&key).map(String::as_str));
        total += check.run(part, limits)?;
        if total > limits.max_total_bytes() {
            return Err(format!(
                "the workbook's parts inflate to more than {} together",
                mib(limits.max_total_bytes())
            ));
        }
    }
    Ok(zip.into_inner())
}

fn check_declared_sizes<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &WorkbookLimits,
) -> Result<(), String> {
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| format!("part {i}: {e}"))?;
        if part.size() > limits.max_part_bytes {
            return Err(too_big(part.name(), limits));
        }
        total = total.saturating_add(part.size());
    }
    if total > limits.max_total_bytes() {
        return Err(format!(
            "the workbook's parts declare more than {} together",
            mib(limits.max_total_bytes())
        ));
    }
    Ok(())
}

fn too_big(part: &str, limits: &WorkbookLimits) -> String {
    format!(
        "part {part} inflates to more than {} (the limit of a workbook part)",
        mib(limits.max_part_bytes)
    )
}

/// As calamine looks parts up: `/` separators, any case.
fn normalize(path: &str) -> String {
    path.replace('\\', "/").to_ascii_lowercase()
}

/// Worksheet part path (normalized) → sheet name, from `xl/workbook.xml` and its relationships,
/// resolved as calamine resolves them; those two parts are scanned under the same limits.
fn sheet_names<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limits: &WorkbookLimits,
) -> Result<HashMap<String, String>, String> {
    let mut targets = HashMap::new();
    scan_named(
        zip,
        "xl/_rels/workbook.xml.rels",
        limits,
        &[b"Relationship"],
        &mut |t| {
            if let (Some(id), Some(target)) = (t.attr(b"Id"), t.attr(b"Target")) {
                targets.insert(unescape(id), unescape(target));
            }
            Ok(())
        },
    )?;
    let mut names = HashMap::new();
    scan_named(zip, "xl/workbook.xml", limits, &[b"sheet"], &mut |t| {
        let target = t.attr(b"id").and_then(|id| targets.get(&unescape(id)));
        if let (Some(name), Some(target)) = (t.attr(b"name"), target) {
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_owned(),
                None if target.starts_with("xl/") => target.clone(),
                None => format!("xl/{target}"),
            };
            names.insert(normalize(&path), unescape(name));
        }
        Ok(())
    })?;
    Ok(names)
}

fn scan_named<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    wanted_part: &str,
    limits: &WorkbookLimits,
    wanted: &[&[u8]],
    on_tag: &mut dyn FnMut(Tag<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let Some(i) = (0..zip.len()).find(|i| {
        zip.name_for_index(*i)
            .is_some_and(|n| normalize(n) == wanted_part)
    }) else {
        return Ok(());
    };
    let Ok(part) = zip.by_index(i) else {
        return Ok(());
    };
    let name = part.name().to_owned();
    let mut scan = XmlScan::new(&name);
    inflate(part, &name, limits, |chunk| {
        scan.feed(chunk, wanted, on_tag)
    })?;
    Ok(())
}

/// Inflates a part through the cap, handing each chunk over; the inflated size.
fn inflate(
    part: impl Read,
    name: &str,
    limits: &WorkbookLimits,
    mut each: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<u64, String> {
    let mut bounded = part.take(limits.max_part_bytes + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match bounded.read(&mut buf) {
            Ok(0) => return Ok(size),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("part {name} cannot be inflated: {e}")),
        };
        size += n as u64;
        if size > limits.max_part_bytes {
            return Err(too_big(name, limits));
        }
        each(&buf[..n])?;
    }
}

/// The checks of one part.
struct PartCheck<'a> {
    name: &'a str,
    /// The sheet it holds, if the workbook names it.
    sheet: Option<&'a str>,
    strings: u64,
    unique_count: u64,
}

impl<'a> PartCheck<'a> {
    fn new(name: &'a str, sheet: Option<&'a str>) -> Self {
        PartCheck {
            name,
            sheet,
            strings: 0,
            unique_count: 0,
        }
    }

    fn run(&mut self, part: impl Read, limits: &WorkbookLimits) -> Result<u64, String> {
        let name = self.name;
        let mut scan = XmlScan::new(name);
        let mut is_xml = None;
        let size = inflate(part, name, limits, |chunk| {
            let xml = *is_xml.get_or_insert_with(|| looks_like_xml(name, chunk));
            if !xml {
                return Ok(());
            }
            let wanted: [&[u8]; 5] = [b"c", b"row", b"dimension", b"sst", b"si"];
            scan.feed(chunk, &wanted, &mut |t| self.tag(&t))
        })?;
        self.finish(size, limits)?;
        Ok(size)
    }

    fn tag(&mut self, tag: &Tag<'_>) -> Result<(), String> {
        match tag.name {
            b"c" => self.reference("cell", tag.attr(b"r")),
            b"row" => self.reference("row", tag.attr(b"r")),
            b"dimension" => match tag.attr(b"ref") {
                Some(r) => r
                    .split(|b| *b == b':')
                    .try_for_each(|end| self.reference("dimension", Some(end))),
                None => Ok(()),
            },
            b"sst" => {
                let count = tag.attr(b"uniqueCount").or_else(|| tag.attr(b"count"));
                self.unique_count = count
                    .and_then(|c| std::str::from_utf8(c).ok()?.trim().parse().ok())
                    .unwrap_or(0);
                Ok(())
            }
            _ => {
                self.strings += 1;
                Ok(())
            }
        }
    }

    /// A cell or row reference; calamine would overflow on some, so it is checked as text.
    fn reference(&self, what: &str, r: Option<&[u8]>) -> Result<(), String> {
        let Some(r) = r else { return Ok(()) };
        let Some((row, col)) = parse_ref(r.trim_ascii()) else {
            return Ok(());
        };
        match position_problem(row, col) {
            None => Ok(()),
            Some(why) => {
                let r = String::from_utf8_lossy(r);
                Err(match self.sheet {
                    Some(sheet) => format!("sheet '{sheet}', {what} {r}: {why}"),
                    None => format!("part {}, {what} {r}: {why}", self.name),
                })
            }
        }
    }

    fn finish(&self, size: u64, limits: &WorkbookLimits) -> Result<(), String> {
        // calamine reserves `uniqueCount` strings up front: an honest count fits in the part
        // (an `<si>` takes at least 4 bytes).
        let counted = self.strings.max(self.unique_count.min(size / 4));
        let loaded = size.saturating_add(counted.saturating_mul(STRING_OVERHEAD));
        if self.unique_count > size / 4 || (self.strings > 0 && loaded > limits.max_part_bytes) {
            return Err(format!(
                "part {}: the shared-string table ({} strings declared, {} found) would take \
                 more than {} in memory",
                self.name,
                self.unique_count,
                self.strings,
                mib(limits.max_part_bytes)
            ));
        }
        Ok(())
    }
}

/// XML parts are scanned; media and other binary parts only measured. A part calamine reads
/// as XML and that starts with something else costs it at most one part's size.
fn looks_like_xml(name: &str, first: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") || lower.ends_with(".rels") {
        return true;
    }
    let body = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
    body.trim_ascii_start().first() == Some(&b'<')
}
