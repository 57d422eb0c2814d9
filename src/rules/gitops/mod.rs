//! Rules about GitOps entry points (Flux Kustomizations, Argo CD Applications), raised while
//! rendering them.

pub mod entrypoint_not_rendered;
pub mod flux_substitution_unresolved;
pub mod gitops_path_missing;
pub mod rebuild_crd_order;
