//! Rules raised by the engine while reading files. They have no `check_*`: the reader reports them,
//! and they are documented, configured and suppressed like any other rule.

pub mod file_unreadable;
pub mod helm_render_incomplete;
pub mod kustomize_build_failed;
pub mod kustomize_unsupported;
pub mod suppression_unknown_rule;
pub mod template_not_rendered;
pub mod unused_suppression;
pub mod yaml_duplicate_key;
pub mod yaml_invalid;
