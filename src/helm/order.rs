//! What `helm template` does with rendered files: split each into YAML documents, drop the empty
//! ones, separate hooks, and sort by kind in Helm's install order (stable within a kind; unknown
//! kinds last, alphabetically).

/// Helm's `releaseutil.InstallOrder`.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
];

/// One document of a rendered file: its byte range in the file's output.
pub struct Doc {
    pub start: usize,
    pub end: usize,
}

/// Helm's `SplitManifests`: the text is trimmed, split on `(?:^|\s*\n)---\s*`, and each
/// non-empty piece trimmed. Returned as byte ranges into `text`.
pub fn split(text: &str) -> Vec<Doc> {
    let lead = text.len() - text.trim_start().len();
    let end_all = text.trim_end().len().max(lead);
    let body = &text[lead..end_all];
    let b = body.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // A separator: optional whitespace ending with a newline (or the start), then `---`.
        let at_start = i == 0 && body.starts_with("---");
        let mut sep_start = None;
        if at_start {
            sep_start = Some(0);
        } else if b[i] == b'\n' && body[i + 1..].starts_with("---") {
            // Back up over whitespace before the newline.
            let mut s = i;
            while s > 0 && (b[s - 1] as char).is_ascii_whitespace() {
                s -= 1;
            }
            sep_start = Some(s);
        }
        if let Some(s) = sep_start {
            let dash = if at_start { 0 } else { i + 1 };
            let mut e = dash + 3;
            while e < b.len() && (b[e] as char).is_ascii_whitespace() {
                e += 1;
            }
            cuts.push((s, e));
            i = e.max(i + 1);
            continue;
        }
        i += 1;
    }
    let mut docs = Vec::new();
    let mut from = 0;
    for (s, e) in cuts.iter().copied().chain(std::iter::once((b.len(), b.len()))) {
        if s >= from {
            let piece = &body[from..s];
            let t = piece.trim();
            if !t.is_empty() {
                let off = piece.len() - piece.trim_start().len();
                docs.push(Doc { start: lead + from + off, end: lead + from + off + t.len() });
            }
        }
        from = e.max(from);
    }
    docs
}

fn rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Stable sort of `(kind, item)` pairs as Helm's `sortManifestsByKind`.
pub fn sort_by_kind<T>(items: &mut [(String, T)]) {
    items.sort_by(|(a, _), (b, _)| match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(t: &str) -> Vec<&str> {
        split(t).iter().map(|d| &t[d.start..d.end]).collect()
    }

    #[test]
    fn splits_like_helm() {
        // Go's regexp split: the second `---` of `---\n\n---` is not preceded by a newline of its own.
        assert_eq!(pieces("\n---\na: 1\n---\n\n---\nb: 2\n  \n"), vec!["a: 1", "---\nb: 2"]);
        assert_eq!(pieces("a: 1\n--- \nb: 2"), vec!["a: 1", "b: 2"]);
        assert_eq!(pieces("a: '---'\n"), vec!["a: '---'"]);
        let mut v = vec![("Deployment".to_string(), 1), ("Foo".into(), 2), ("Service".into(), 3), ("Bar".into(), 4), ("Service".into(), 5)];
        sort_by_kind(&mut v);
        assert_eq!(v.iter().map(|x| x.1).collect::<Vec<_>>(), vec![3, 5, 1, 4, 2]);
    }
}
