//! `velero` commands as written in runbooks, scripts and container commands: the sub-command
//! words and the flags with their values, read from the shell words of one logical line.

use super::cli_pvc_label_selector::Word;

/// Flags of the velero CLI that take a value (`--flag value` or `--flag=value`); every other
/// flag is boolean, taking a value only as `--flag=value`.
const VALUE_FLAGS: &[&str] = &[
    "-n", "--namespace", "--kubeconfig", "--kubecontext", "--from-backup", "--from-schedule", "--include-namespaces",
    "--exclude-namespaces", "--namespace-mappings", "--include-resources", "--exclude-resources",
    "--include-cluster-scoped-resources", "--exclude-cluster-scoped-resources", "--include-namespace-scoped-resources",
    "--exclude-namespace-scoped-resources", "--existing-resource-policy", "--selector", "-l", "--or-selector", "--ttl",
    "--storage-location", "--volume-snapshot-locations", "--schedule", "-o", "--output", "--label-columns", "--labels",
    "--resource-modifier-configmap", "--status-include-resources", "--status-exclude-resources", "--item-operation-timeout",
    "--write-sparse-files", "--parallel-files-upload", "--uploader-config", "--csi-snapshot-timeout", "--default-volumes-to-fs-backup",
    "--features", "--colorized",
];

pub struct Command<'w> {
    /// The `velero` word.
    pub at: &'w Word,
    /// Words that are not flags or flag values: `restore`, `create`, a name.
    pub positional: Vec<&'w Word>,
    /// (flag, value, the flag's word, its index in the line's words).
    pub flags: Vec<(String, Option<String>, &'w Word, usize)>,
}

impl Command<'_> {
    /// The first two positional words, as `restore create` or `create restore` both mean.
    pub fn is(&self, noun: &str, verb: &str) -> bool {
        let p: Vec<&str> = self.positional.iter().take(2).map(|w| w.text.as_str()).collect();
        p == [noun, verb] || p == [verb, noun]
    }
    pub fn verb(&self) -> Option<&str> {
        self.positional.first().map(|w| w.text.as_str())
    }
    pub fn flag(&self, names: &[&str]) -> Option<(&str, Option<&str>, &Word)> {
        self.flags.iter().find(|(f, ..)| names.contains(&f.as_str())).map(|(f, v, w, _)| (f.as_str(), v.as_deref(), *w))
    }
    /// Every value of a comma-list flag, repeated flags joined.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.flags.iter().filter(|(f, ..)| f == name).filter_map(|(_, v, ..)| v.as_ref()).flat_map(|v| v.split(',')).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }
}

fn is_end(w: &str) -> bool {
    matches!(w, "|" | "||" | "&&" | ";" | "&") || w.starts_with('#')
}

/// Every `velero …` command on one logical line.
pub fn commands(ws: &[Word]) -> Vec<Command<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        if !(ws[i].text == "velero" || ws[i].text.ends_with("/velero")) {
            i += 1;
            continue;
        }
        let mut cmd = Command { at: &ws[i], positional: Vec::new(), flags: Vec::new() };
        let mut j = i + 1;
        while j < ws.len() && !is_end(&ws[j].text) {
            let w = &ws[j];
            if w.text.starts_with('-') && w.text.len() > 1 {
                match w.text.split_once('=') {
                    Some((f, v)) => cmd.flags.push((f.to_string(), Some(v.to_string()), w, j)),
                    None if VALUE_FLAGS.contains(&w.text.as_str()) => {
                        cmd.flags.push((w.text.clone(), ws.get(j + 1).filter(|n| !is_end(&n.text)).map(|n| n.text.clone()), w, j));
                        j += 1;
                    }
                    None => cmd.flags.push((w.text.clone(), None, w, j)),
                }
            } else {
                cmd.positional.push(w);
            }
            j += 1;
        }
        out.push(cmd);
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::velero::cli_pvc_label_selector::words;

    #[test]
    fn flags_values_and_verbs() {
        let lines = words("velero -n backup restore create r --from-backup b --include-namespaces a,b --wait --existing-resource-policy=update | tee x\n");
        let cmds = commands(&lines[0]);
        assert_eq!(cmds.len(), 1);
        let c = &cmds[0];
        assert!(c.is("restore", "create"));
        assert_eq!(c.flag(&["-n", "--namespace"]).and_then(|f| f.1), Some("backup"));
        assert_eq!(c.list("--include-namespaces"), vec!["a", "b"]);
        assert_eq!(c.flag(&["--existing-resource-policy"]).and_then(|f| f.1), Some("update"));
        assert!(c.flag(&["--wait"]).is_some());
    }
}
