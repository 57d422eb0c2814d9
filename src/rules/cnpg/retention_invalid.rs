//! CNPG and the barman-cloud ObjectStore accept a retention policy only as `XXu`: a positive
//! integer and a unit of d, w or m (CRD pattern `^[1-9][0-9]*[dwm]$`). Anything else is rejected
//! at apply time, so the Cluster or ObjectStore never reaches the cluster.

use crate::model::cnpg::{BARMAN_CLOUD_GROUP, GROUP};
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    RetentionInvalid,
    "cnpg-retention-invalid",
    Error,
    "a CNPG or ObjectStore retentionPolicy that the CRD's pattern rejects"
);

/// Whether a retention policy matches `^[1-9][0-9]*[dwm]$`.
pub fn is_valid_retention(s: &str) -> bool {
    let Some(unit) = s.chars().last() else { return false };
    let digits = &s[..s.len() - unit.len_utf8()];
    matches!(unit, 'd' | 'w' | 'm')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A corrected spelling for common mistakes, when one is obvious.
fn suggestion(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_lowercase().replace(' ', "");
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().ok().filter(|n| *n > 0)?;
    let u = match unit {
        "" | "d" | "day" | "days" => "d",
        "w" | "week" | "weeks" => "w",
        "m" | "month" | "months" | "mo" => "m",
        "y" | "year" | "years" => return Some(format!("{}m", n * 12)),
        "h" | "hours" => return Some(format!("{}d", n.div_ceil(24))),
        _ => return None,
    };
    Some(format!("{n}{u}"))
}

impl Rule for RetentionInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let path: &[&str] = if object.is(GROUP, "Cluster") {
            &["spec", "backup", "retentionPolicy"]
        } else if object.is(BARMAN_CLOUD_GROUP, "ObjectStore") {
            &["spec", "retentionPolicy"]
        } else {
            return;
        };
        let Some(node) = object.node.at(path) else { return };
        if node.is_null() {
            return;
        }
        let value = node.as_str().unwrap_or("");
        if is_valid_retention(value) {
            return;
        }
        let d = cx.report_on(
            object,
            node.span,
            format!("retentionPolicy `{value}` is not `<number><d|w|m>`: the API server rejects the {}", object.kind()),
        );
        match suggestion(value) {
            Some(s) if s != value => d.help(format!("write `{s}`")),
            _ => d.help("write a positive whole number followed by d (days), w (weeks) or m (months), e.g. `30d`"),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pattern() {
        for ok in ["30d", "1w", "12m", "100d"] {
            assert!(is_valid_retention(ok), "{ok}");
        }
        for bad in ["", "0d", "30", "30D", "30days", "1y", "01d", "d", "30h", "-1d"] {
            assert!(!is_valid_retention(bad), "{bad}");
        }
        assert_eq!(suggestion("30 days").as_deref(), Some("30d"));
        assert_eq!(suggestion("1y").as_deref(), Some("12m"));
    }
}
