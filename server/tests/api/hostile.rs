//! Hostile workbooks for the upload endpoints (route import and forms), generated here and kept
//! small in memory: a lone cell far out in the grid, a zip bomb (one cell inflating to 1 GiB,
//! deflated as it is written), the same bomb lying about its size, and a compound-file XLS
//! declaring a grid of billions of cells. Each must answer 422 saying where, not allocate.

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, header};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// The workbook parts around one sheet named `sheet`.
fn skeleton(zip: &mut ZipWriter<Cursor<Vec<u8>>>, sheet: &str) {
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let parts: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into(),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).expect("part");
        zip.write_all(text.as_bytes()).expect("part");
    }
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";

/// An XLSX whose sheet `sheet` holds one text cell at `cell` (written as given, legal or not),
/// in a row that leaves its number to the cell.
pub fn lone_cell(sheet: &str, cell: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    skeleton(&mut zip, sheet);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("sheet");
    write!(
        zip,
        r#"{SHEET_START}<row><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>{SHEET_END}"#
    )
    .expect("sheet");
    zip.finish().expect("zip").into_inner()
}

/// An XLSX whose sheet `sheet` has one cell of 1 GiB of `0`s, deflated as written (about 1 MB).
pub fn bomb(sheet: &str) -> &'static [u8] {
    // Deflating 1 GiB takes seconds: once per sheet name for the whole test binary.
    type Bombs = std::sync::Mutex<Vec<(String, &'static [u8])>>;
    static BOMBS: OnceLock<Bombs> = OnceLock::new();
    let bombs = BOMBS.get_or_init(Default::default);
    let mut bombs = bombs.lock().expect("bombs");
    if let Some((_, b)) = bombs.iter().find(|(s, _)| s == sheet) {
        return b;
    }
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    skeleton(&mut zip, sheet);
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("sheet");
    write!(
        zip,
        r#"{SHEET_START}<row r="1"><c r="A1" t="inlineStr"><is><t>"#
    )
    .expect("sheet");
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..1024 {
        zip.write_all(&zeros).expect("sheet");
    }
    write!(zip, "</t></is></c></row>{SHEET_END}").expect("sheet");
    let bytes: &'static [u8] = zip.finish().expect("zip").into_inner().leak();
    bombs.push((sheet.to_owned(), bytes));
    bytes
}

/// An XLSX whose sheet inflates to 128 MiB of well-formed short cells but whose zip headers
/// claim 1,000 bytes: only a bound on the inflating stream stops it.
pub fn lying_bomb(sheet: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    skeleton(&mut zip, sheet);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("sheet");
    write!(zip, r#"{SHEET_START}<row r="1">"#).expect("sheet");
    // 22 bytes a cell, 16,384 cells a round, 360 rounds: about 124 MiB.
    let cells = r#"<c r="A1"><v>1</v></c>"#.repeat(1 << 14);
    for _ in 0..360 {
        zip.write_all(cells.as_bytes()).expect("sheet");
    }
    write!(zip, "</row>{SHEET_END}").expect("sheet");
    let mut bytes = zip.finish().expect("zip").into_inner();
    set_uncompressed_size(&mut bytes, "xl/worksheets/sheet1.xml", 1_000);
    bytes
}

/// Rewrites the uncompressed size of `name` in its local and central headers.
fn set_uncompressed_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (sig, name_at, size_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => ("local", 30, 22),
            b"PK\x01\x02" => ("central", 46, 24),
            _ => continue,
        };
        let len_at = if sig == "local" { 26 } else { 28 };
        let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of {name}");
}

/// An XLS (compound file) whose sheet `survey` holds cells at A1 and IV65536 (a grid of 16.7
/// million cells) and, with `declared`, declares rows 1 to 4,000,000,000.
pub fn huge_xls(declared: bool) -> Vec<u8> {
    let record = |typ: u16, data: &[u8]| {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    };
    let bof = record(
        0x0809,
        &[0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let sheet_bof = record(
        0x0809,
        &[0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let eof = record(0x000A, &[]);
    let name = b"survey";
    let mut globals = bof.clone();
    let boundsheet_len = 4 + 8 + name.len();
    let sheet_at = (globals.len() + boundsheet_len + eof.len()) as u32;
    let mut bs = sheet_at.to_le_bytes().to_vec();
    bs.extend([0, 0, name.len() as u8, 0]);
    bs.extend(name);
    globals.extend(record(0x0085, &bs));
    globals.extend(&eof);
    let mut stream = globals;
    stream.extend(sheet_bof);
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(4_000_000_000u32.to_le_bytes());
    dims.extend([0, 0, 0, 1, 0, 0]);
    if declared {
        stream.extend(record(0x0200, &dims));
    }
    // Number cells (row, col, xf, f64) at A1 and IV65536.
    for (row, col) in [(0u16, 0u16), (65_535, 255)] {
        let mut n = row.to_le_bytes().to_vec();
        n.extend(col.to_le_bytes());
        n.extend([0, 0]);
        n.extend(1f64.to_le_bytes());
        stream.extend(record(0x0203, &n));
    }
    stream.extend(eof);
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
    cfb.create_stream("/Workbook")
        .expect("stream")
        .write_all(&stream)
        .expect("stream");
    cfb.flush().expect("cfb");
    cfb.into_inner().into_inner()
}

/// A multipart POST of `bytes` as the `file` part named `name`.
pub fn upload_request(path: &str, token: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "terreno-hostile-boundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         content-type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

/// A multipart POST whose `file` part streams `mib` MiB with no content length.
pub fn oversized_request(path: &str, token: &str, mib: usize) -> Request<Body> {
    let boundary = "terreno-hostile-boundary";
    let head = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\
         content-type: text/csv\r\n\r\n"
    );
    let chunk = axum::body::Bytes::from(vec![b'a'; 1 << 20]);
    let chunks = std::iter::once(axum::body::Bytes::from(head))
        .chain(std::iter::repeat_n(chunk, mib))
        .map(Ok::<_, std::io::Error>);
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .expect("request")
}

/// Cells beyond Excel's grid, and the reason an upload naming each gives.
pub const BEYOND_GRID: [(&str, &str); 3] = [
    ("A4000000000", "row beyond 1,048,576"),
    ("FXSHRXW1", "column beyond XFD (16,384 columns)"),
    ("XFD1048577", "row beyond 1,048,576"),
];
