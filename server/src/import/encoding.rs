//! What kind of file this is, from its first bytes, and text decoding as a stream.
//!
//! Detection: a ZIP signature is an XLSX workbook and an OLE2 signature an XLS one (by content,
//! never by extension); a UTF-8 or UTF-16 BOM decides the text encoding; a NUL byte in the
//! first 64 KiB means a binary file. Otherwise the text is read as UTF-8 for as long as it is
//! valid, and the first byte sequence that is not UTF-8 switches to Windows-1252 (a superset
//! of Latin-1's printable range) if everything before it was ASCII, which is the same in both.
//! So a file's encoding is decided at its first non-ASCII character, wherever that is, without
//! reading the file twice. A file that has valid multi-byte UTF-8 and later bytes that are not
//! is refused at that point: it mixes encodings and any guess would corrupt names.
//!
//! This module must not know about delimiters or rows.

use std::io::{self, Read};

use encoding_rs::{Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How much of the start of a file is examined before choosing a reader.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A ZIP container: XLSX.
    Xlsx,
    /// An OLE2 compound file: XLS (Excel 97-2003).
    Xls,
    /// Text, with this BOM length and starting encoding.
    Text(Start),
    /// No content at all (or only a BOM and blanks).
    Empty,
    /// A NUL byte outside UTF-16: not a text file.
    Binary,
}

/// The encoding text starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// No BOM: UTF-8, falling back to Windows-1252 (see module docs).
    Guess,
    /// A UTF-8 BOM (3 bytes, skipped).
    Utf8Bom,
    /// A UTF-16 little-endian BOM.
    Utf16Le,
    /// A UTF-16 big-endian BOM.
    Utf16Be,
}

/// Reads up to [`SNIFF_BYTES`] from `reader`.
pub fn read_prefix(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    reader
        .by_ref()
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Classifies a file by its first bytes.
pub fn sniff(prefix: &[u8]) -> Kind {
    let text_start = if prefix.starts_with(b"PK\x03\x04") {
        return Kind::Xlsx;
    } else if prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Kind::Xls;
    } else if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Start::Utf8Bom
    } else if prefix.starts_with(&[0xFF, 0xFE]) {
        Start::Utf16Le
    } else if prefix.starts_with(&[0xFE, 0xFF]) {
        Start::Utf16Be
    } else {
        Start::Guess
    };
    let body = match text_start {
        Start::Utf8Bom => &prefix[3..],
        Start::Utf16Le | Start::Utf16Be => &prefix[2..],
        Start::Guess => prefix,
    };
    let utf16 = matches!(text_start, Start::Utf16Le | Start::Utf16Be);
    if !utf16 && body.contains(&0) {
        return Kind::Binary;
    }
    if body
        .iter()
        .all(|b| b.is_ascii_whitespace() || (utf16 && *b == 0))
    {
        return Kind::Empty;
    }
    Kind::Text(text_start)
}

enum State {
    /// Only ASCII seen so far.
    Ascii,
    Utf8,
    Windows1252,
    Utf16(Box<Decoder>),
}

/// A reader of UTF-8 text decoded from a file's bytes, chunk by chunk.
pub struct DecodingReader<R> {
    inner: R,
    state: State,
    /// Undecoded bytes: at most an incomplete UTF-8 sequence carried to the next chunk.
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    /// Bytes of the file before `raw`.
    offset: u64,
    /// BOM bytes still to drop.
    skip: usize,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner`, which starts at the file's first byte (any BOM is skipped here).
    pub fn new(inner: R, start: Start) -> Self {
        let (state, skip) = match start {
            Start::Guess => (State::Ascii, 0),
            Start::Utf8Bom => (State::Utf8, 3),
            Start::Utf16Le => (State::Utf16(Box::new(UTF_16LE.new_decoder())), 0),
            Start::Utf16Be => (State::Utf16(Box::new(UTF_16BE.new_decoder())), 0),
        };
        // encoding_rs's UTF-16 decoders remove their own BOM.
        DecodingReader {
            inner,
            state,
            raw: Vec::with_capacity(CHUNK),
            out: Vec::with_capacity(CHUNK * 3),
            out_pos: 0,
            eof: false,
            offset: 0,
            skip,
        }
    }

    /// The encoding decided so far (`UTF-8` until the first non-ASCII byte says otherwise).
    pub fn encoding(&self) -> &'static str {
        match &self.state {
            State::Ascii | State::Utf8 => "UTF-8",
            State::Windows1252 => "Windows-1252",
            State::Utf16(d) => d.encoding().name(),
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let carried = self.raw.len();
        self.raw.resize(carried + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[carried..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.raw.truncate(carried + n);
        self.eof = n == 0;
        if self.skip > 0 {
            let k = self.skip.min(self.raw.len());
            self.raw.drain(..k);
            self.offset += k as u64;
            self.skip -= k;
        }
        self.out.clear();
        self.out_pos = 0;
        self.decode()
    }

    fn decode(&mut self) -> io::Result<()> {
        let raw = std::mem::take(&mut self.raw);
        let mut used = raw.len();
        match &mut self.state {
            State::Windows1252 => {
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(&raw);
                self.out.extend_from_slice(text.as_bytes());
            }
            State::Utf16(decoder) => {
                let max = decoder
                    .max_utf8_buffer_length(raw.len())
                    .unwrap_or(CHUNK * 3);
                let mut buf = vec![0u8; max];
                let (_, _, written, _) = decoder.decode_to_utf8(&raw, &mut buf, self.eof);
                self.out.extend_from_slice(&buf[..written]);
            }
            State::Ascii | State::Utf8 => used = self.decode_utf8(&raw)?,
        }
        self.offset += used as u64;
        self.raw = raw[used..].to_vec();
        Ok(())
    }

    /// Decodes valid UTF-8; returns how many bytes were used (the rest is an incomplete
    /// sequence waiting for the next chunk).
    fn decode_utf8(&mut self, raw: &[u8]) -> io::Result<usize> {
        let (valid, bad) = match std::str::from_utf8(raw) {
            Ok(_) => (raw.len(), None),
            Err(e) => (e.valid_up_to(), Some(e.error_len())),
        };
        if matches!(self.state, State::Ascii) && !raw[..valid].is_ascii() {
            self.state = State::Utf8;
        }
        self.out.extend_from_slice(&raw[..valid]);
        match bad {
            None => Ok(valid),
            Some(None) if !self.eof => Ok(valid),
            Some(_) if matches!(self.state, State::Ascii) => {
                self.state = State::Windows1252;
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(&raw[valid..]);
                self.out.extend_from_slice(text.as_bytes());
                Ok(raw.len())
            }
            Some(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "byte {} is not UTF-8 although the text before it is: the file mixes \
                     encodings; save it again as UTF-8",
                    self.offset + valid as u64
                ),
            )),
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof && self.raw.is_empty() {
                return Ok(0);
            }
            if self.eof {
                // A trailing incomplete sequence at the very end.
                self.out.clear();
                self.out_pos = 0;
                self.decode()?;
                if self.out.is_empty() {
                    self.raw.clear();
                }
                continue;
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> io::Result<String> {
        let Kind::Text(start) = sniff(bytes) else {
            panic!("not text: {:?}", sniff(bytes));
        };
        let mut out = String::new();
        DecodingReader::new(bytes, start).read_to_string(&mut out)?;
        Ok(out)
    }

    #[test]
    fn utf8_with_and_without_bom_and_windows_1252_decode_to_the_same_text() {
        let text = "Código;Dirección\nCL-1;Calle 5 # 3-2 Fontibón\n";
        let (cp1252, _, _) = WINDOWS_1252.encode(text);
        let with_bom = [&[0xEF, 0xBB, 0xBF], text.as_bytes()].concat();
        assert_eq!(decode_all(text.as_bytes()).unwrap(), text);
        assert_eq!(decode_all(&with_bom).unwrap(), text);
        assert_eq!(decode_all(&cp1252).unwrap(), text);
    }

    #[test]
    fn windows_1252_is_detected_even_after_a_long_ascii_start() {
        let mut text = "a,b\n".repeat(50_000);
        text.push_str("Peña,Núñez\n");
        let (cp1252, _, _) = WINDOWS_1252.encode(&text);
        assert!(cp1252.len() > SNIFF_BYTES + CHUNK);
        assert_eq!(decode_all(&cp1252).unwrap(), text);
    }

    #[test]
    fn utf16_with_a_bom_decodes() {
        let text = "Nombre\tSaldo\nMaría\t1,5\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_all(&bytes).unwrap(), text);
    }

    #[test]
    fn multibyte_sequences_split_between_chunks_survive() {
        let text = format!("{}ñ{}", "x".repeat(CHUNK - 1), "y".repeat(10));
        assert_eq!(decode_all(text.as_bytes()).unwrap(), text);
    }

    #[test]
    fn a_file_mixing_utf8_and_latin1_is_refused_with_the_byte_offset() {
        let mut bytes = "Peña\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"Pe\xF1a\n");
        let err = decode_all(&bytes).unwrap_err();
        assert!(err.to_string().contains("byte 8"), "{err}");
    }

    #[test]
    fn binary_empty_and_spreadsheets_are_told_apart_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Xlsx);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            Kind::Xls
        );
        assert_eq!(sniff(b"\x7fELF\x02\x01\x00\x00"), Kind::Binary);
        assert_eq!(sniff(b""), Kind::Empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF \r\n"), Kind::Empty);
        assert_eq!(sniff(b"a,b\n"), Kind::Text(Start::Guess));
    }
}
