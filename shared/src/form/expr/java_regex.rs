//! Java regular expressions, as ODK's `regex()` takes them (`java.util.regex` with `find()`; on
//! the devices that run Collect that is Android's, backed by ICU), translated into the `regex`
//! crate's syntax: what has the same meaning is rewritten, what the linear-time engine cannot do
//! (back-references, look-around) is refused with a reason.
//!
//! Kept: `\d`, `\w`, `\s`, `\b`, which are Unicode-aware in ICU as in the crate. Rewritten:
//! POSIX classes (`\p{Alpha}`, `\p{Punct}`, ...) to the Unicode properties ICU gives them;
//! `\p{javaLowerCase}`-style classes, `\p{IsLatin}` and `\p{script=...}`; `\h`, `\v`, `\R`,
//! `\e`, octal `\0nn`, control `\cX`; `\Q...\E` quoting; `\<` and `\>` (literal in Java,
//! word boundaries in the crate); possessive quantifiers (`a*+`) and atomic groups (`(?>...)`),
//! read as greedy ones — they only forbid backtracking, which a linear-time engine does not
//! do, so a match differs only for patterns that rely on that refusal; `$` (outside multi-line
//! mode) and `\Z`, which also match before a final line break; `(?<name>...)` groups.

/// The `regex` crate's spelling of Java `pattern`, or why it has none.
// Long: one scanner over the pattern, one arm per Java construct (see the module doc).
pub(super) fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let multi_line = pattern.contains("(?m") || pattern.contains("(?sm");
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut class_depth = 0_usize;
    // Whether the last thing written was a quantifier (a `+` after it is possessive).
    let mut after_quantifier = false;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let quantifier = class_depth == 0 && matches!(c, '*' | '+' | '?' | '}');
        match c {
            '\\' => {
                i += escape(&chars, i, &mut out)?;
                after_quantifier = false;
                continue;
            }
            '+' if after_quantifier => {
                // Possessive: the greedy quantifier already written stands for it.
                after_quantifier = false;
                i += 1;
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // A `]` first in a class (after an optional `^`) is a literal in both syntaxes.
                if next == Some('^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '(' if class_depth == 0 && next == Some('?') => {
                i += group(&chars, i, &mut out)?;
                after_quantifier = false;
                continue;
            }
            '$' if class_depth == 0 && !multi_line => out.push_str("(?:\\n?\\z)"),
            // `?` after a quantifier makes it lazy, not a new quantifier.
            '?' if after_quantifier => {
                out.push('?');
                after_quantifier = false;
                i += 1;
                continue;
            }
            other => out.push(other),
        }
        after_quantifier = quantifier;
        i += 1;
    }
    Ok(out)
}

/// `(?` constructs at `start`; returns the characters read.
fn group(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let rest: String = chars[start..chars.len().min(start + 4)].iter().collect();
    if rest.starts_with("(?>") {
        out.push_str("(?:");
        return Ok(3);
    }
    if rest.starts_with("(?=") || rest.starts_with("(?!") {
        return Err("look-ahead (?= ...) and (?! ...) is not supported".to_owned());
    }
    if rest.starts_with("(?<=") || rest.starts_with("(?<!") {
        return Err("look-behind (?<= ...) and (?<! ...) is not supported".to_owned());
    }
    if rest.starts_with("(?<") {
        out.push_str("(?P<");
        return Ok(3);
    }
    out.push_str("(?");
    Ok(2)
}

/// The escape at `start` (a backslash); returns the characters read.
// Long: one arm per Java escape (see the module doc).
fn escape(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let Some(&c) = chars.get(start + 1) else {
        return Err("the pattern ends with a lone backslash".to_owned());
    };
    let read = match c {
        'h' => text(out, HORIZONTAL),
        'H' => text(out, &HORIZONTAL.replacen('[', "[^", 1)),
        'v' => text(out, VERTICAL),
        'V' => text(out, &VERTICAL.replacen('[', "[^", 1)),
        'R' => text(out, "(?:\\r\\n|[\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}])"),
        'e' => text(out, "\\x1B"),
        'Z' => text(out, "(?:\\n?\\z)"),
        '<' | '>' => {
            out.push(c);
            2
        }
        'Q' => {
            let body_start = start + 2;
            let end = (body_start..chars.len())
                .find(|&j| chars[j] == '\\' && chars.get(j + 1) == Some(&'E'))
                .unwrap_or(chars.len());
            let literal: String = chars[body_start..end].iter().collect();
            out.push_str(&regex::escape(&literal));
            return Ok((end + 2).min(chars.len()) - start);
        }
        'E' => 2,
        'c' => {
            let Some(&letter) = chars.get(start + 2) else {
                return Err("\\c must be followed by a letter".to_owned());
            };
            out.push_str(&format!("\\x{{{:X}}}", u32::from(letter) ^ 64));
            3
        }
        '0' => {
            let digits: String = chars[start + 2..]
                .iter()
                .take(3)
                .take_while(|d| d.is_digit(8))
                .collect();
            let code = u32::from_str_radix(&digits, 8)
                .map_err(|_| "\\0 must be followed by octal digits".to_owned())?;
            out.push_str(&format!("\\x{{{code:X}}}"));
            2 + digits.len()
        }
        '1'..='9' | 'k' => {
            return Err("back-references (\\1, \\k<name>) are not supported".to_owned());
        }
        'p' | 'P' => return property(chars, start, c == 'P', out),
        other => {
            out.push('\\');
            out.push(other);
            2
        }
    };
    Ok(read)
}

const HORIZONTAL: &str =
    "[ \\t\\x{A0}\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}]";
const VERTICAL: &str = "[\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}]";

fn text(out: &mut String, s: &str) -> usize {
    out.push_str(s);
    2
}

// Long: two tables (POSIX and Java class names) read top to bottom.
/// `\p{Name}` or `\pL` at `start`: Java's POSIX and `java...` classes as explicit classes,
/// Unicode categories and scripts (`\p{L}`, `\p{IsLatin}`) as the crate spells them.
fn property(
    chars: &[char],
    start: usize,
    negated: bool,
    out: &mut String,
) -> Result<usize, String> {
    let (name, read) = if chars.get(start + 2) == Some(&'{') {
        let end = (start + 3..chars.len())
            .find(|&j| chars[j] == '}')
            .ok_or_else(|| "unterminated \\p{...}".to_owned())?;
        (
            chars[start + 3..end].iter().collect::<String>(),
            end + 1 - start,
        )
    } else {
        let letter = chars
            .get(start + 2)
            .ok_or_else(|| "\\p must name a class".to_owned())?;
        (letter.to_string(), 3)
    };
    // ICU's meanings, which are Unicode's (Java SE's are ASCII-only).
    let posix = match name.as_str() {
        "Lower" => Some("\\p{Lowercase}"),
        "Upper" => Some("\\p{Uppercase}"),
        "ASCII" => Some("\\x00-\\x7F"),
        "Alpha" => Some("\\p{Alphabetic}"),
        "Digit" => Some("\\p{Nd}"),
        "Alnum" => Some("\\p{Alphabetic}\\p{Nd}"),
        "Punct" => Some("\\p{P}"),
        "Graph" => Some("^\\p{White_Space}\\p{Cc}\\p{Cs}\\p{Cn}"),
        "Print" => Some("^\\p{Cc}\\p{Cs}\\p{Cn}\\p{Zl}\\p{Zp}"),
        "Blank" => Some("\\p{Zs}\\t"),
        "Cntrl" => Some("\\p{Cc}"),
        "XDigit" => Some("\\p{Nd}a-fA-F"),
        "Space" => Some("\\p{White_Space}"),
        _ => None,
    };
    let caret = if negated { "^" } else { "" };
    if let Some(ranges) = posix {
        if negated && ranges.starts_with('^') {
            // Graph and Print are complements already: negating one nests it.
            out.push_str(&format!("[^[{ranges}]]"));
        } else {
            out.push_str(&format!("[{caret}{ranges}]"));
        }
        return Ok(read);
    }
    let unicode = match name.as_str() {
        "javaLowerCase" => "Lowercase".to_owned(),
        "javaUpperCase" => "Uppercase".to_owned(),
        "javaWhitespace" => "White_Space".to_owned(),
        "javaAlphabetic" => "Alphabetic".to_owned(),
        "javaDigit" => "Nd".to_owned(),
        "javaLetter" => "L".to_owned(),
        "javaLetterOrDigit" => return Ok(letter_or_digit(negated, out, read)),
        other => {
            let bare = other
                .strip_prefix("Is")
                .or_else(|| other.strip_prefix("script="))
                .or_else(|| other.strip_prefix("sc="))
                .or_else(|| other.strip_prefix("general_category="))
                .or_else(|| other.strip_prefix("gc="))
                .unwrap_or(other);
            if other.starts_with("In") || other.starts_with("block=") || other.starts_with("blk=") {
                return Err(format!("Unicode blocks (\\p{{{other}}}) are not supported"));
            }
            bare.to_owned()
        }
    };
    out.push_str(&format!(
        "\\{}{{{unicode}}}",
        if negated { 'P' } else { 'p' }
    ));
    Ok(read)
}

fn letter_or_digit(negated: bool, out: &mut String, read: usize) -> usize {
    out.push_str(if negated {
        "[^\\p{L}\\p{Nd}]"
    } else {
        "[\\p{L}\\p{Nd}]"
    });
    read
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn java_syntax_becomes_the_crates() {
        let cases = [
            (r"^\d+\/\d+$", r"^\d+\/\d+(?:\n?\z)"),
            (r"a*+b++c?+d{2}+", r"a*b+c?d{2}"),
            (r"a+?", r"a+?"),
            (
                r"\p{Alpha}\P{Digit}\P{Graph}",
                r"[\p{Alphabetic}][^\p{Nd}][^[^\p{White_Space}\p{Cc}\p{Cs}\p{Cn}]]",
            ),
            (r"[\p{Lower}_]", r"[[\p{Lowercase}]_]"),
            (r"\p{IsLatin}\pL", r"\p{Latin}\p{L}"),
            (r"\Qa.b\E.", r"a\.b."),
            (r"(?>ab)(?<y>c)", r"(?:ab)(?P<y>c)"),
            (r"\<x\>", r"<x>"),
            (r"[]a]", r"[\]a]"),
            (r"[$]", r"[$]"),
            (r"(?m)^a$", r"(?m)^a$"),
            (r"\011\cA", r"\x{9}\x{1}"),
        ];
        for (java, rust) in cases {
            assert_eq!(translate(java).as_deref(), Ok(rust), "{java}");
        }
    }

    #[test]
    fn what_a_linear_engine_cannot_do_is_refused() {
        for java in [r"(a)\1", r"a(?=b)", r"(?<!a)b", r"\p{InGreek}", "a\\"] {
            assert!(translate(java).is_err(), "{java}");
        }
    }
}
