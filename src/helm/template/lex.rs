//! Go `text/template` lexer: text, `{{ }}` actions with `{{-`/`-}}` trimming, `{{/* */}}`
//! comments, and the tokens inside actions. Every token keeps its 1-based line.

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Text(String),
    Open,
    Close,
    Ident(String),
    /// `.name` (one link of a field chain).
    Field(String),
    /// `$` or `$name`.
    Var(String),
    Dot,
    Str(String),
    Num(String),
    Char(char),
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    /// Whitespace separates it from the previous token (so `.a .b` is two arguments and `.a.b` one).
    pub spaced: bool,
}

pub struct LexError {
    pub line: usize,
    pub message: String,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn lines_in(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut trim_next = false;
    while i < b.len() {
        let open = src[i..].find("{{").map(|p| p + i).unwrap_or(b.len());
        let mut text = &src[i..open];
        let mut text_line = line;
        line += lines_in(text);
        if trim_next {
            let t = text.trim_start_matches([' ', '\t', '\r', '\n']);
            text_line += lines_in(&text[..text.len() - t.len()]);
            text = t;
            trim_next = false;
        }
        let trim_left = open + 3 < b.len() + 1 && b.get(open + 2) == Some(&b'-') && b.get(open + 3).is_some_and(|&c| is_space(c));
        if trim_left {
            text = text.trim_end_matches([' ', '\t', '\r', '\n']);
        }
        if !text.is_empty() {
            out.push(Token { tok: Tok::Text(text.to_string()), line: text_line, spaced: false });
        }
        if open >= b.len() {
            break;
        }
        i = open + 2 + if trim_left { 2 } else { 0 };
        // A comment: `{{/* ... */}}`, possibly with trim markers.
        let rest = &src[i..];
        if rest.starts_with("/*") {
            let Some(end) = rest.find("*/") else {
                return Err(LexError { line, message: "unclosed comment".into() });
            };
            line += lines_in(&rest[..end]);
            let mut j = i + end + 2;
            let after = &src[j..];
            if after.starts_with(" -}}") || after.starts_with("\t-}}") || after.starts_with("\n-}}") {
                trim_next = true;
                j += 4;
            } else if after.starts_with("}}") {
                j += 2;
            } else {
                return Err(LexError { line, message: "comment ends before closing delimiter".into() });
            }
            i = j;
            continue;
        }
        out.push(Token { tok: Tok::Open, line, spaced: false });
        let mut spaced = true;
        loop {
            if i >= b.len() {
                return Err(LexError { line, message: "unclosed action".into() });
            }
            let c = b[i];
            if is_space(c) {
                // ` -}}` closes with trimming.
                if src[i + 1..].starts_with("-}}") {
                    line += (c == b'\n') as usize;
                    out.push(Token { tok: Tok::Close, line, spaced: true });
                    i += 4;
                    trim_next = true;
                    break;
                }
                line += (c == b'\n') as usize;
                spaced = true;
                i += 1;
                continue;
            }
            if src[i..].starts_with("}}") {
                out.push(Token { tok: Tok::Close, line, spaced });
                i += 2;
                break;
            }
            let start = i;
            let tok = match c {
                b'(' => { i += 1; Tok::LParen }
                b')' => { i += 1; Tok::RParen }
                b'|' => { i += 1; Tok::Pipe }
                b',' => { i += 1; Tok::Comma }
                b'=' => { i += 1; Tok::Assign }
                b':' if b.get(i + 1) == Some(&b'=') => { i += 2; Tok::Declare }
                b'"' => {
                    i += 1;
                    let mut s = String::new();
                    loop {
                        match b.get(i) {
                            None | Some(b'\n') => return Err(LexError { line, message: "unterminated quoted string".into() }),
                            Some(b'"') => { i += 1; break; }
                            Some(b'\\') => {
                                let (ch, n) = unescape(&src[i..]).ok_or(LexError { line, message: "bad escape in string".into() })?;
                                s.push_str(&ch);
                                i += n;
                            }
                            Some(_) => {
                                let ch = src[i..].chars().next().unwrap();
                                s.push(ch);
                                i += ch.len_utf8();
                            }
                        }
                    }
                    Tok::Str(s)
                }
                b'`' => {
                    let Some(end) = src[i + 1..].find('`') else {
                        return Err(LexError { line, message: "unterminated raw quoted string".into() });
                    };
                    let s = src[i + 1..i + 1 + end].to_string();
                    line += lines_in(&s);
                    i += end + 2;
                    Tok::Str(s)
                }
                b'\'' => {
                    let rest = &src[i + 1..];
                    let (ch, n) = if rest.starts_with('\\') {
                        let (s, n) = unescape(rest).ok_or(LexError { line, message: "bad character constant".into() })?;
                        (s.chars().next().unwrap_or('\0'), n)
                    } else {
                        let ch = rest.chars().next().ok_or(LexError { line, message: "unterminated character constant".into() })?;
                        (ch, ch.len_utf8())
                    };
                    if src.as_bytes().get(i + 1 + n) != Some(&b'\'') {
                        return Err(LexError { line, message: "unterminated character constant".into() });
                    }
                    i += n + 2;
                    Tok::Char(ch)
                }
                b'$' => {
                    i += 1;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                        i += 1;
                    }
                    Tok::Var(src[start..i].to_string())
                }
                b'.' if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') => {
                    i += 1;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                    Tok::Field(src[start + 1..i].to_string())
                }
                b'.' if !b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => { i += 1; Tok::Dot }
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    i += 1;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_'
                        || ((b[i] == b'+' || b[i] == b'-') && matches!(b[i - 1], b'e' | b'E' | b'p' | b'P')))
                    {
                        i += 1;
                    }
                    Tok::Num(src[start..i].to_string())
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                        i += 1;
                    }
                    Tok::Ident(src[start..i].to_string())
                }
                _ => {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    return Err(LexError { line, message: format!("unexpected {ch:?} in command") });
                }
            };
            out.push(Token { tok, line, spaced });
            spaced = false;
        }
    }
    Ok(out)
}

/// One Go escape sequence at the start of `s` (which starts with `\`): the text and its length.
fn unescape(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let c = *b.get(1)?;
    let simple = match c {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'\\' => Some('\\'),
        b'"' => Some('"'),
        b'\'' => Some('\''),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b'f' => Some('\x0c'),
        b'v' => Some('\x0b'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch.to_string(), 2));
    }
    let hex = |n: usize| -> Option<(String, usize)> {
        let h = s.get(2..2 + n)?;
        let v = u32::from_str_radix(h, 16).ok()?;
        Some((char::from_u32(v)?.to_string(), 2 + n))
    };
    match c {
        b'x' => hex(2),
        b'u' => hex(4),
        b'U' => hex(8),
        b'0'..=b'7' => {
            let o = s.get(1..4)?;
            let v = u32::from_str_radix(o, 8).ok()?;
            Some((char::from_u32(v)?.to_string(), 4))
        }
        _ => None,
    }
}
