//! Rule documentation: each rule's page is `rules/<id>.md` (compiled in through `declare_rule!`).
//! This module parses pages into sections and generates the index `docs/rules.md`.

use crate::rules;

/// The text of a `## <title>` section of a page, without its heading.
pub fn section<'a>(doc: &'a str, title: &str) -> Option<&'a str> {
    let heading = format!("## {title}");
    let start = doc.lines().position(|l| l.trim_end() == heading)?;
    let lines: Vec<&str> = doc.lines().collect();
    let end = lines[start + 1..].iter().position(|l| l.starts_with("## ")).map(|i| start + 1 + i).unwrap_or(lines.len());
    let from = doc.find(&heading)? + heading.len();
    let body_len: usize = lines[start + 1..end].iter().map(|l| l.len() + 1).sum();
    Some(doc[from..].get(..body_len.min(doc.len() - from)).unwrap_or(&doc[from..]).trim_matches('\n'))
}

/// The first fenced ```yaml block of a section.
pub fn yaml_example(doc: &str, title: &str) -> Option<String> {
    let body = section(doc, title)?;
    let start = body.find("```yaml")? + "```yaml".len();
    let end = body[start..].find("```")? + start;
    Some(body[start..end].trim_start_matches('\n').to_string())
}

/// The files of an example: sections introduced by a `# file: <path>` line are written to that
/// path; an example without markers is one file, `kustomization.yaml` when it is a kustomize
/// Kustomization or Component, `example.yaml` otherwise.
pub fn example_files(example: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in example.split_inclusive('\n') {
        if let Some(name) = line.trim_end().strip_prefix("# file: ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        } else {
            files.push((String::new(), line.to_string()));
        }
    }
    for (name, text) in &mut files {
        if name.is_empty() {
            let is_kustomization = text.lines().any(|l| l.starts_with("apiVersion: kustomize.config.k8s.io/"));
            *name = if is_kustomization { "kustomization.yaml".into() } else { "example.yaml".into() };
        }
    }
    files
}

/// `docs/rules.md`: every rule, its default severity and summary, linked to its page.
pub fn rules_index() -> String {
    let mut out = String::from(
        "# drlint rules\n\nGenerated from the rule registry (`cargo test --test meta` fails when this file is stale; \
         `DRLINT_BLESS=1 cargo test --test meta` rewrites it). `drlint explain <id>` shows a rule's page.\n\n\
         | rule | default severity | what it finds |\n| --- | --- | --- |\n",
    );
    for r in rules::all() {
        let m = r.meta();
        out.push_str(&format!("| [`{}`](../rules/{}.md) | {} | {} |\n", m.id, m.id, m.severity.as_str(), m.summary));
    }
    out
}
