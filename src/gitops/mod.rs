//! GitOps entry points: Flux `Kustomization` and Argo CD `Application` objects, rendered the way
//! their controllers render them, and Flux `postBuild` variable substitution.

pub mod substitute;
