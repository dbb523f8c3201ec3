//! Splits an expression into tokens, each with its character offset for error messages.
//!
//! Operator names (`and`, `or`, `div`, `mod`) come out as plain names: whether a name is an
//! operator depends on its position, which the parser knows (XPath 1.0, section 3.7).

use super::error::ExprError;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Number(f64),
    Literal(String),
    /// `${name}`.
    Ref(String),
    /// `${last-saved#name}`.
    LastSaved(String),
    /// A (possibly prefixed) name: `concat`, `jr:choice-name`, `root`, `and`.
    Name(String),
    Dot,
    DotDot,
    Slash,
    DoubleSlash,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Pipe,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    At,
    Eof,
}

/// A token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub offset: usize,
}

/// The single quote and its typographic forms, which pyxform reads as `'`.
pub(super) const SINGLE_QUOTES: &[char] = &['\'', '‘', '’'];

/// The double quote and its typographic forms, which pyxform reads as `"`.
const DOUBLE_QUOTES: &[char] = &['"', '“', '”'];

/// The quotes that close a string opened by `c`, when `c` opens one: pyxform replaces every
/// typographic quote by its plain one, so a string ends at the next quote of its family
/// (`'`, `‘`, `’` or `"`, `“`, `”`) whatever its shape.
pub(crate) fn closing_quotes(c: char) -> Option<&'static [char]> {
    [SINGLE_QUOTES, DOUBLE_QUOTES]
        .into_iter()
        .find(|family| family.contains(&c))
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Whether `name` is a valid question name inside `${...}` (an XML name without a prefix).
pub(super) fn is_valid_ref_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// Tokenizes `source`; the last token is always [`Tok::Eof`].
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let peek = chars.get(i + 1).copied();
        let (tok, len) = match c {
            // Spreadsheets and word processors turn typed quotes into typographic ones, often
            // only some of them (`instance('list’)`, `${d}=’no'`). pyxform replaces every
            // typographic quote of a cell by its plain one before ODK reads it, so a quote of
            // either family ends at the next quote of the same family, whatever its shape.
            c if closing_quotes(c).is_some() => {
                lex_literal(&chars, i, closing_quotes(c).unwrap_or_default())?
            }
            '$' => lex_ref(&chars, i)?,
            '0'..='9' => lex_number(&chars, i),
            '.' if peek.is_some_and(|p| p.is_ascii_digit()) => lex_number(&chars, i),
            '.' if peek == Some('.') => (Tok::DotDot, 2),
            '.' => (Tok::Dot, 1),
            '/' if peek == Some('/') => (Tok::DoubleSlash, 2),
            '/' => (Tok::Slash, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '|' => (Tok::Pipe, 1),
            '@' => (Tok::At, 1),
            '=' => (Tok::Eq, 1),
            '!' if peek == Some('=') => (Tok::Neq, 2),
            '<' if peek == Some('=') => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if peek == Some('=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            c if is_name_start(c) => lex_name(&chars, i),
            '!' => return Err(ExprError::new(i, "unexpected '!': use != or not(...)")),
            other => {
                return Err(ExprError::new(i, format!("unexpected character '{other}'")));
            }
        };
        tokens.push(Token { tok, offset: start });
        i += len;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        offset: chars.len(),
    });
    Ok(tokens)
}

fn lex_ref(chars: &[char], start: usize) -> Result<(Tok, usize), ExprError> {
    if chars.get(start + 1) != Some(&'{') {
        return Err(ExprError::new(
            start,
            "expected '{' after '$': references are written ${name}",
        ));
    }
    const LAST_SAVED: &str = "last-saved#";
    let last_saved = chars[start + 2..]
        .iter()
        .take(LAST_SAVED.len())
        .copied()
        .eq(LAST_SAVED.chars());
    let name_start = start + 2 + if last_saved { LAST_SAVED.len() } else { 0 };
    let mut end = name_start;
    while end < chars.len() && chars[end] != '}' && is_name_char(chars[end]) {
        end += 1;
    }
    let name: String = chars[name_start..end].iter().collect();
    if chars.get(end) != Some(&'}') {
        return Err(ExprError::new(
            start,
            format!("unterminated reference '${{{name}': expected '}}'"),
        ));
    }
    if !is_valid_ref_name(&name) {
        return Err(ExprError::new(
            start,
            format!("invalid question name '{name}' in reference"),
        ));
    }
    let tok = if last_saved {
        Tok::LastSaved(name)
    } else {
        Tok::Ref(name)
    };
    Ok((tok, end + 1 - start))
}

/// A string from the quote at `start` to the next of `closing`.
fn lex_literal(chars: &[char], start: usize, closing: &[char]) -> Result<(Tok, usize), ExprError> {
    let quote = chars[start];
    let body = &chars[start + 1..];
    match body.iter().position(|c| closing.contains(c)) {
        Some(len) => Ok((Tok::Literal(body[..len].iter().collect()), len + 2)),
        None if chars.iter().any(|c| matches!(c, '‘' | '’' | '“' | '”')) => {
            Err(ExprError::new(
                start,
                format!(
                    "unterminated string: expected a closing {quote} (typographic quotes ‘ ’ “ ” \
                 count as plain ones, as in pyxform, so an apostrophe inside a string needs \
                 the other quotes: \"it’s\")"
                ),
            ))
        }
        None => Err(ExprError::new(
            start,
            format!("unterminated string: expected a closing {quote}"),
        )),
    }
}

fn lex_number(chars: &[char], start: usize) -> (Tok, usize) {
    let mut end = start;
    while end < chars.len() && chars[end].is_ascii_digit() {
        end += 1;
    }
    if chars.get(end) == Some(&'.') {
        end += 1;
        while end < chars.len() && chars[end].is_ascii_digit() {
            end += 1;
        }
    }
    let text: String = chars[start..end].iter().collect();
    // Only digits and one dot were taken, which always parse; NaN is unreachable.
    (Tok::Number(text.parse().unwrap_or(f64::NAN)), end - start)
}

fn lex_name(chars: &[char], start: usize) -> (Tok, usize) {
    let mut end = start + 1;
    let mut prefixed = false;
    while end < chars.len() {
        let c = chars[end];
        if is_name_char(c) {
            end += 1;
        } else if c == ':' && !prefixed && chars.get(end + 1).is_some_and(|&n| is_name_start(n)) {
            prefixed = true;
            end += 1;
        } else {
            break;
        }
    }
    (Tok::Name(chars[start..end].iter().collect()), end - start)
}

/// A token as error messages name it.
pub(super) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Number(n) => format!("number {}", super::value::format_number(*n)),
        Tok::Literal(text) => format!("string '{text}'"),
        Tok::Ref(name) => format!("reference ${{{name}}}"),
        Tok::LastSaved(name) => format!("reference ${{last-saved#{name}}}"),
        Tok::Name(name) => format!("'{name}'"),
        Tok::Eof => "end of expression".to_owned(),
        other => format!("'{}'", symbol(other)),
    }
}

fn symbol(tok: &Tok) -> &'static str {
    match tok {
        Tok::Dot => ".",
        Tok::DotDot => "..",
        Tok::Slash => "/",
        Tok::DoubleSlash => "//",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Comma => ",",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Pipe => "|",
        Tok::Eq => "=",
        Tok::Neq => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::At => "@",
        _ => "?",
    }
}
