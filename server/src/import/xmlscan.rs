//! A byte-level XML token scanner for workbook parts, fed as they inflate: it measures every
//! token (tag, text run, comment, CDATA, declaration) against [`MAX_TOKEN_BYTES`] and hands the
//! few tags the checks need (`<c r=…>`, `<row r=…>`, `<dimension ref=…>`, `<sst …>`, `<si>`,
//! `<sheet …>`, `<Relationship …>`) to the caller with their attributes. Memory: one tag at most.
//!
//! It is not a parser: it does not check well-formedness (calamine's parser does, later); it
//! must not allocate after anything the file says.

use super::bounds::{MAX_TOKEN_BYTES, mib};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    Comment,
    CData,
    Pi,
    Decl { depth: u32 },
}

/// A tag the caller asked about: its local name and raw attributes.
pub struct Tag<'a> {
    /// Local name (without a namespace prefix).
    pub name: &'a [u8],
    raw: &'a [u8],
}

impl<'a> Tag<'a> {
    /// The raw value (entities not decoded) of the attribute with this local name.
    pub fn attr(&self, wanted: &[u8]) -> Option<&'a [u8]> {
        attributes(self.raw)
            .find(|(k, _)| local(k) == wanted)
            .map(|(_, v)| v)
    }
}

/// The scanner of one part; feed it the part's bytes in order.
pub struct XmlScan {
    part: String,
    state: State,
    token: u64,
    tag: Vec<u8>,
    tail: [u8; 2],
}

impl XmlScan {
    /// A scanner for the part named `part` (named in its errors).
    pub fn new(part: &str) -> Self {
        XmlScan {
            part: part.to_owned(),
            state: State::Text,
            token: 0,
            tag: Vec::new(),
            tail: [0; 2],
        }
    }

    /// Scans `bytes`, calling `on_tag` for every start or empty tag whose local name is in
    /// `wanted`. Errors: a token over the limit (naming the part), or what `on_tag` returns.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        wanted: &[&[u8]],
        on_tag: &mut dyn FnMut(Tag<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        for &b in bytes {
            self.token += 1;
            if self.token > MAX_TOKEN_BYTES {
                return Err(format!(
                    "part {}: an XML {} is longer than {}",
                    self.part,
                    self.kind(),
                    mib(MAX_TOKEN_BYTES)
                ));
            }
            match self.state {
                State::Text if b == b'<' => self.start(State::Tag),
                State::Text => {}
                State::Tag => {
                    if b == b'>' {
                        self.end_tag(wanted, on_tag)?;
                    } else {
                        self.tag.push(b);
                        self.classify();
                    }
                }
                State::Comment if b == b'>' && self.tail == *b"--" => self.start(State::Text),
                State::CData if b == b'>' && self.tail == *b"]]" => self.start(State::Text),
                State::Pi if b == b'>' && self.tail[1] == b'?' => self.start(State::Text),
                State::Decl { depth } => match b {
                    b'[' => self.state = State::Decl { depth: depth + 1 },
                    b']' => {
                        self.state = State::Decl {
                            depth: depth.saturating_sub(1),
                        }
                    }
                    b'>' if depth == 0 => self.start(State::Text),
                    _ => {}
                },
                _ => {}
            }
            self.tail = [self.tail[1], b];
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        match self.state {
            State::Text => "text run",
            State::Tag => "tag",
            State::Comment => "comment",
            State::CData => "CDATA section",
            State::Pi => "processing instruction",
            State::Decl { .. } => "declaration",
        }
    }

    fn start(&mut self, state: State) {
        self.state = state;
        self.token = 0;
        self.tag.clear();
        self.tail = [0; 2];
    }

    /// Moves a tag that turns out to be a comment, CDATA, PI or declaration to its state.
    fn classify(&mut self) {
        let t = self.tag.as_slice();
        let next = if t == b"?" {
            Some(State::Pi)
        } else if t == b"!--" {
            Some(State::Comment)
        } else if t == b"![CDATA[" {
            Some(State::CData)
        } else if t.first() == Some(&b'!') && !b"!--".starts_with(t) && !b"![CDATA[".starts_with(t)
        {
            Some(State::Decl { depth: 0 })
        } else {
            None
        };
        if let Some(state) = next {
            // Keep counting the same token: only the way it ends changes.
            self.state = state;
            self.tag.clear();
        }
    }

    fn end_tag(
        &mut self,
        wanted: &[&[u8]],
        on_tag: &mut dyn FnMut(Tag<'_>) -> Result<(), String>,
    ) -> Result<(), String> {
        let raw = self.tag.as_slice();
        if raw.first() != Some(&b'/') {
            let name_len = raw
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/')
                .unwrap_or(raw.len());
            let name = local(&raw[..name_len]);
            if wanted.contains(&name) {
                on_tag(Tag {
                    name,
                    raw: &raw[name_len..],
                })?;
            }
        }
        self.start(State::Text);
        Ok(())
    }
}

/// The local part of a qualified name (`r:id` → `id`).
fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// `key="value"` pairs of a tag's attribute text (single or double quotes).
fn attributes(mut s: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let start = s
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != b'/')?;
        s = &s[start..];
        let eq = s.iter().position(|b| *b == b'=')?;
        let key = s[..eq].trim_ascii();
        let rest = s[eq + 1..].trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = rest[1..].iter().position(|b| *b == quote)?;
        let value = &rest[1..1 + len];
        s = &rest[len + 2..];
        Some((key, value))
    })
}

/// Decodes the five predefined entities and character references of an attribute value.
pub fn unescape(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_ref();
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(xml: &[u8], wanted: &[&[u8]]) -> Result<Vec<(String, Option<String>)>, String> {
        let mut seen = Vec::new();
        let mut scan = XmlScan::new("t.xml");
        for chunk in xml.chunks(3) {
            scan.feed(chunk, wanted, &mut |t| {
                let r = t
                    .attr(b"r")
                    .map(|v| String::from_utf8_lossy(v).into_owned());
                seen.push((String::from_utf8_lossy(t.name).into_owned(), r));
                Ok(())
            })?;
        }
        Ok(seen)
    }

    #[test]
    fn wanted_tags_come_with_their_attributes_across_chunks_and_prefixes() {
        let xml = br#"<?xml version="1.0"?><!-- <c r="Z9"> --><x:row r="2"><x:c r='B2' t="s"/><![CDATA[<c r="Q1">]]></x:row>"#;
        let seen = tags(xml, &[b"c", b"row"]).expect("scans");
        assert_eq!(
            seen,
            [
                ("row".to_owned(), Some("2".to_owned())),
                ("c".to_owned(), Some("B2".to_owned()))
            ]
        );
    }

    #[test]
    fn a_text_run_or_cdata_over_a_mebibyte_is_refused() {
        let mut text = b"<v>".to_vec();
        text.extend(std::iter::repeat_n(b'9', (MAX_TOKEN_BYTES + 1) as usize));
        let e = tags(&text, &[]).unwrap_err();
        assert_eq!(e, "part t.xml: an XML text run is longer than 1 MiB");

        let mut cdata = b"<![CDATA[".to_vec();
        cdata.extend(std::iter::repeat_n(b"<>".as_slice(), MAX_TOKEN_BYTES as usize).flatten());
        let e = tags(&cdata, &[]).unwrap_err();
        assert!(e.contains("CDATA"), "{e}");
    }

    #[test]
    fn attribute_values_are_unescaped() {
        assert_eq!(unescape(b"R&amp;D &#233;&#x41; &bogus"), "R&D éA &bogus");
    }
}
