//! Path globs for `exclude`: `*` within a segment, `**` across segments, `?` one character. A
//! pattern without `/` matches a file or folder name at any depth, as in `.gitignore`.

use regex::Regex;

#[derive(Clone, Debug)]
pub struct Glob {
    pub pattern: String,
    re: Regex,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let p = pattern.trim_start_matches("./");
        let p = p.trim_end_matches('/');
        if p.is_empty() {
            return Err("empty glob".into());
        }
        let anchored = p.contains('/');
        let mut re = String::from("^");
        if !anchored {
            re.push_str("(?:.*/)?");
        }
        let chars: Vec<char> = p.trim_start_matches('/').chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        re.push_str("(?:.*/)?");
                        i += 3;
                    } else {
                        re.push_str(".*");
                        i += 2;
                    }
                    continue;
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
            i += 1;
        }
        re.push('$');
        let re = Regex::new(&re).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
        Ok(Glob { pattern: pattern.to_string(), re })
    }

    pub fn matches(&self, rel_path: &str) -> bool {
        self.re.is_match(rel_path)
    }

    /// The path, or any folder above it, matches.
    pub fn matches_path_or_parent(&self, rel_path: &str) -> bool {
        if self.matches(rel_path) {
            return true;
        }
        let mut p = rel_path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if self.matches(parent) {
                return true;
            }
            p = parent;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;
    #[test]
    fn globs() {
        let g = Glob::new("vendor").unwrap();
        assert!(g.matches_path_or_parent("a/vendor/x.yaml"));
        assert!(!g.matches_path_or_parent("a/vendors/x.yaml"));
        let g = Glob::new("apps/**/secret*.yaml").unwrap();
        assert!(g.matches("apps/secret.yaml"));
        assert!(g.matches("apps/a/b/secret-x.yaml"));
        assert!(!g.matches("other/apps/secret.yaml"));
        let g = Glob::new("*.enc.yaml").unwrap();
        assert!(g.matches("x/y/z.enc.yaml"));
    }
}
