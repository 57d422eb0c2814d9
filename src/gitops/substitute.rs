//! Flux `postBuild` variable substitution, as kustomize-controller applies it to every rendered
//! object: bash-style `${VAR}` expressions (drone/envsubst grammar), never a plain `$VAR`.
//!
//! - `${VAR}`; `${VAR:-default}` and `${VAR:=default}` (default when unset or empty); `${VAR=default}`
//!   (default when unset); `${VAR:+alt}`; `${VAR:?msg}`; `${#VAR}`; `${VAR,}` `${VAR,,}` `${VAR^}`
//!   `${VAR^^}`; `${VAR:offset}` and `${VAR:offset:length}`; `${VAR#p}` `${VAR##p}` `${VAR%p}`
//!   `${VAR%%p}` `${VAR/p/r}` `${VAR//p/r}` with literal patterns. Defaults may nest `${...}`.
//! - Names are letters, digits, `_` and `-` (so `${A-b}` is the variable `A-b`, as in envsubst).
//! - Escapes outside `${...}`: `$$` is a literal `$` (so `$${VAR}` stays `${VAR}`), `\\` is `\`
//!   and `\/` is `/`.
//! - Flux substitutes nothing when no variable is defined at all, and skips objects labelled or
//!   annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`.
//!
//! Unlike Flux (which substitutes an empty string), a variable drlint cannot resolve is left as
//! written and reported, so that rules never compare a value that is not known.

use std::collections::BTreeMap;

/// Variables by name.
pub type Vars = BTreeMap<String, String>;

/// A variable that had no value, with its byte range in the input text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// The text could not be parsed as envsubst input; Flux fails the whole build with
/// `variable substitution failed: bad substitution`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSubstitution {
    pub at: usize,
}

#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    pub unresolved: Vec<Unresolved>,
}

/// Substitute `vars` in `text`.
pub fn substitute(text: &str, vars: &Vars) -> Result<Outcome, BadSubstitution> {
    let mut p = Parser { s: text.as_bytes(), text, pos: 0, vars, unresolved: Vec::new() };
    let out = p.text_until(None)?;
    Ok(Outcome { text: out, unresolved: p.unresolved })
}

/// The variable when `text` is exactly one `${VAR}` (or `${VAR:=default}`, `${VAR:-default}`,
/// `${VAR=default}`): the whole value comes from that variable.
pub fn whole_variable(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("${")?.strip_suffix('}')?;
    let end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(inner.len());
    let (name, rest) = inner.split_at(end);
    let plain_default = rest.is_empty() || [":=", ":-", "="].iter().any(|p| rest.starts_with(p));
    (!name.is_empty() && plain_default && !rest.contains(['$', '{', '}'])).then_some(name)
}

/// Whether `text` holds anything envsubst would treat as an expression.
pub fn has_expression(text: &str) -> bool {
    // A `$` search (memchr) first: this runs on every scalar of every substituted object.
    text.match_indices('$').any(|(i, _)| text.as_bytes().get(i + 1) == Some(&b'{'))
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    vars: &'a Vars,
    unresolved: Vec<Unresolved>,
}

/// A value during evaluation: `None` when it depends on an unresolved variable, in which case
/// the original text is kept.
type Val = Option<String>;

impl<'a> Parser<'a> {
    /// Literal text and expressions up to `stop` (a `}` closing a default) or the end.
    fn text_until(&mut self, stop: Option<u8>) -> Result<String, BadSubstitution> {
        let mut out = String::new();
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            if Some(c) == stop {
                return Ok(out);
            }
            if c == b'$' && self.s.get(self.pos + 1) == Some(&b'$') && stop.is_none() {
                out.push('$');
                self.pos += 2;
                continue;
            }
            if c == b'\\' && stop.is_none() && matches!(self.s.get(self.pos + 1), Some(b'\\') | Some(b'/')) {
                out.push(self.s[self.pos + 1] as char);
                self.pos += 2;
                continue;
            }
            if c == b'$' && self.s.get(self.pos + 1) == Some(&b'{') {
                let start = self.pos;
                self.pos += 2;
                match self.expression(start)? {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&self.text[start..self.pos]),
                }
                continue;
            }
            let ch = self.text[self.pos..].chars().next().unwrap();
            out.push(ch);
            self.pos += ch.len_utf8();
        }
        if stop.is_some() {
            return Err(BadSubstitution { at: self.pos });
        }
        Ok(out)
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while self.pos < self.s.len() {
            let ch = self.text[self.pos..].chars().next().unwrap();
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
        &self.text[start..self.pos]
    }

    fn expect_close(&mut self) -> Result<(), BadSubstitution> {
        if self.s.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            Ok(())
        } else {
            Err(BadSubstitution { at: self.pos })
        }
    }

    fn lookup(&mut self, name: &str, start: usize) -> Val {
        let v = self.vars.get(name).cloned();
        if v.is_none() {
            // The end is fixed up by the caller once the expression is consumed.
            self.unresolved.push(Unresolved { name: name.to_string(), start, end: start });
        }
        v
    }

    /// After `${`: parse and evaluate one expression.
    fn expression(&mut self, start: usize) -> Result<Val, BadSubstitution> {
        let before = self.unresolved.len();
        let v = self.expression_inner(start)?;
        for u in &mut self.unresolved[before..] {
            if u.end == u.start {
                u.end = self.pos;
            }
        }
        Ok(v)
    }

    fn expression_inner(&mut self, start: usize) -> Result<Val, BadSubstitution> {
        if self.s.get(self.pos) == Some(&b'#') {
            self.pos += 1;
            let name = self.ident();
            if name.is_empty() {
                return Err(BadSubstitution { at: self.pos });
            }
            self.expect_close()?;
            return Ok(self.lookup(name, start).map(|v| v.chars().count().to_string()));
        }
        let name = self.ident();
        if name.is_empty() {
            return Err(BadSubstitution { at: self.pos });
        }
        match self.s.get(self.pos).copied() {
            Some(b'}') => {
                self.pos += 1;
                Ok(self.lookup(name, start))
            }
            Some(b':') if matches!(self.s.get(self.pos + 1), Some(b'=' | b'-' | b'?' | b'+')) => {
                let op = self.s[self.pos + 1];
                self.pos += 2;
                self.default_form(name, op, true, start)
            }
            Some(b'=') => {
                self.pos += 1;
                self.default_form(name, b'=', false, start)
            }
            Some(b':') => {
                self.pos += 1;
                let offset_text = self.until(|c| c == b':' || c == b'}');
                let len_text = if self.s.get(self.pos) == Some(&b':') {
                    self.pos += 1;
                    Some(self.until(|c| c == b'}'))
                } else {
                    None
                };
                self.expect_close()?;
                let value = self.lookup(name, start);
                Ok(value.map(|v| substring(&v, &offset_text, len_text.as_deref())))
            }
            Some(c @ (b',' | b'^')) => {
                let double = self.s.get(self.pos + 1) == Some(&c);
                self.pos += if double { 2 } else { 1 };
                self.expect_close()?;
                Ok(self.lookup(name, start).map(|v| casing(&v, c == b'^', double)))
            }
            Some(c @ (b'#' | b'%')) => {
                let longest = self.s.get(self.pos + 1) == Some(&c);
                self.pos += if longest { 2 } else { 1 };
                let pattern = self.text_until(Some(b'}'))?;
                self.expect_close()?;
                let value = self.lookup(name, start);
                Ok(value.map(|v| {
                    if c == b'#' {
                        v.strip_prefix(pattern.as_str()).map(str::to_string).unwrap_or(v)
                    } else {
                        v.strip_suffix(pattern.as_str()).map(str::to_string).unwrap_or(v)
                    }
                }))
            }
            Some(b'/') => {
                self.pos += 1;
                let all = self.s.get(self.pos) == Some(&b'/');
                if all {
                    self.pos += 1;
                }
                let pattern = self.until(|c| c == b'/' || c == b'}');
                let replacement = if self.s.get(self.pos) == Some(&b'/') {
                    self.pos += 1;
                    self.text_until(Some(b'}'))?
                } else {
                    String::new()
                };
                self.expect_close()?;
                let value = self.lookup(name, start);
                Ok(value.map(|v| {
                    if pattern.is_empty() {
                        v
                    } else if all {
                        v.replace(&pattern, &replacement)
                    } else {
                        v.replacen(&pattern, &replacement, 1)
                    }
                }))
            }
            _ => Err(BadSubstitution { at: self.pos }),
        }
    }

    fn until(&mut self, stop: impl Fn(u8) -> bool) -> String {
        let start = self.pos;
        while self.pos < self.s.len() && !stop(self.s[self.pos]) {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    /// `${NAME:-word}`, `${NAME:=word}`, `${NAME=word}`, `${NAME:+word}`, `${NAME:?word}`.
    fn default_form(&mut self, name: &str, op: u8, colon: bool, start: usize) -> Result<Val, BadSubstitution> {
        let before = self.unresolved.len();
        let word = self.text_until(Some(b'}'));
        let word_unresolved: Vec<Unresolved> = self.unresolved.drain(before..).collect();
        let word = word?;
        self.expect_close()?;
        let value = self.vars.get(name).cloned();
        let set = value.is_some();
        let usable = value.as_ref().is_some_and(|v| !colon || !v.is_empty());
        let word_known = word_unresolved.is_empty();
        let result = match op {
            b'-' | b'=' => {
                if usable {
                    value
                } else if word_known {
                    Some(word)
                } else {
                    self.unresolved.extend(word_unresolved);
                    None
                }
            }
            b'+' => {
                if usable {
                    if word_known {
                        Some(word)
                    } else {
                        self.unresolved.extend(word_unresolved);
                        None
                    }
                } else if set || !colon {
                    Some(String::new())
                } else {
                    // Unset: empty whatever the variable would be.
                    Some(String::new())
                }
            }
            _ => {
                // `:?`: an error in Flux when unset; unknown here.
                if usable {
                    value
                } else {
                    self.unresolved.push(Unresolved { name: name.to_string(), start, end: start });
                    None
                }
            }
        };
        Ok(result)
    }
}

fn substring(v: &str, offset: &str, len: Option<&str>) -> String {
    let chars: Vec<char> = v.chars().collect();
    let n = chars.len() as i64;
    let off: i64 = offset.trim().parse().unwrap_or(0);
    let start = if off < 0 { (n + off).max(0) } else { off.min(n) } as usize;
    let end = match len.and_then(|l| l.trim().parse::<i64>().ok()) {
        Some(l) if l >= 0 => (start + l as usize).min(chars.len()),
        Some(l) => ((n + l).max(start as i64)) as usize,
        None => chars.len(),
    };
    chars[start..end].iter().collect()
}

fn casing(v: &str, upper: bool, all: bool) -> String {
    if all {
        return if upper { v.to_uppercase() } else { v.to_lowercase() };
    }
    let mut c = v.chars();
    match c.next() {
        Some(f) if upper => f.to_uppercase().chain(c).collect(),
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn sub(text: &str, v: &Vars) -> (String, Vec<String>) {
        let o = substitute(text, v).unwrap();
        (o.text, o.unresolved.into_iter().map(|u| u.name).collect())
    }

    #[test]
    fn plain_and_default_forms() {
        let v = vars(&[("ENV", "prod"), ("EMPTY", "")]);
        assert_eq!(sub("s3://b/${ENV}/pg", &v).0, "s3://b/prod/pg");
        assert_eq!(sub("${MISSING:=staging}", &v).0, "staging");
        assert_eq!(sub("${MISSING:-staging}", &v).0, "staging");
        assert_eq!(sub("${EMPTY:-x}", &v).0, "x", "colon forms treat empty as unset");
        assert_eq!(sub("${EMPTY=x}", &v).0, "", "`=` only replaces an unset variable");
        assert_eq!(sub("${ENV:-x}", &v).0, "prod");
        assert_eq!(sub("${ENV:+set}", &v).0, "set");
        assert_eq!(sub("${#ENV}", &v).0, "4");
        assert_eq!(sub("${ENV^^}", &v).0, "PROD");
        assert_eq!(sub("${ENV:1:2}", &v).0, "ro");
        assert_eq!(sub("${MISSING:-${ENV}-db}", &v).0, "prod-db", "defaults nest");
    }

    #[test]
    fn escapes_keep_text_literal() {
        let v = vars(&[("ENV", "prod")]);
        assert_eq!(sub("$${ENV}", &v).0, "${ENV}");
        assert_eq!(sub("cost: $$5", &v).0, "cost: $5");
        assert_eq!(sub("$ENV stays", &v).0, "$ENV stays", "plain $VAR is not an expression");
        assert_eq!(sub(r"a\\b", &v).0, r"a\b");
    }

    #[test]
    fn whole_variable_is_one_expression() {
        assert_eq!(super::whole_variable("${SCHEDULE}"), Some("SCHEDULE"));
        assert_eq!(super::whole_variable(" ${SCHEDULE:=0 0 2 * * *}"), Some("SCHEDULE"));
        assert_eq!(super::whole_variable("0 ${HOUR} * * *"), None);
        assert_eq!(super::whole_variable("${A}${B}"), None);
        assert_eq!(super::whole_variable("${A:+x}"), None);
    }

    #[test]
    fn unresolved_variables_stay_as_written_and_are_reported() {
        let v = vars(&[("ENV", "prod")]);
        let (text, un) = sub("s3://b/${CLUSTER}/${ENV}", &v);
        assert_eq!(text, "s3://b/${CLUSTER}/prod");
        assert_eq!(un, vec!["CLUSTER"]);
        let o = substitute("x ${CLUSTER} y", &v).unwrap();
        assert_eq!((o.unresolved[0].start, o.unresolved[0].end), (2, 12));
        let (text, un) = sub("${A:-${B}}", &v);
        assert_eq!(text, "${A:-${B}}");
        assert_eq!(un, vec!["B"]);
    }

    #[test]
    fn dash_belongs_to_the_name() {
        let v = vars(&[("A", "1")]);
        let (text, un) = sub("${A-b}", &v);
        assert_eq!(text, "${A-b}");
        assert_eq!(un, vec!["A-b"]);
    }

    #[test]
    fn bad_substitution() {
        let v = vars(&[("A", "1")]);
        assert!(substitute("${}", &v).is_err());
        assert!(substitute("${A", &v).is_err());
        assert!(substitute("${A!}", &v).is_err());
    }
}

/// A substituted plain value as YAML reads it once the text is parsed again: a value wrapped in
/// matching quotes is that quoted scalar's string. `None` when it is not quoted (or does not parse).
pub fn reread_scalar(text: &str) -> Option<(String, crate::source::yaml::Style)> {
    let t = text.trim();
    let quoted = t.len() >= 2 && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')));
    if !quoted {
        return None;
    }
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), &format!("v: {t}\n"));
    if !parsed.issues.is_empty() {
        return None;
    }
    let v = parsed.documents.into_iter().next()?.root?.get("v")?.clone();
    Some((v.as_text()?.to_string(), v.style()?))
}

#[cfg(test)]
mod reread_tests {
    use super::reread_scalar;
    #[test]
    fn quoted_defaults_read_as_yaml_strings() {
        assert_eq!(reread_scalar("\"250m\"").map(|v| v.0), Some("250m".to_string()));
        assert_eq!(reread_scalar("'2'").map(|v| v.0), Some("2".to_string()));
        assert_eq!(reread_scalar("250m"), None);
        assert_eq!(reread_scalar("\"a\" and \"b\""), None);
    }
}
