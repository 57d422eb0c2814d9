//! kustomize's two patch kinds on positioned YAML: strategic merge (kyaml merge2 with the built-in
//! Kubernetes v1.21.2 schema that kustomize v5.5.0 embeds) and RFC 6902 JSON patch.
//!
//! Provenance: every node of a result is a node of the target or of the patch, with its span. Nodes
//! that came from the patch keep the patch's spans, untouched nodes keep the target's, and a merged
//! map or list keeps the target's span for itself. Keys added by a patch are the patch's key nodes
//! (for JSON patch, the `path` scalar of the operation).
//!
//! Strategic merge, as kustomize does it (each point checked against `kubectl kustomize` v5.5.0):
//! - maps merge recursively; a patch `null` deletes the key; a `null` written in the target stays;
//!   new keys are appended after the target's, in sorted order (kyaml walks field names sorted);
//! - lists merge by key only where the schema has patch strategy `merge` (see `schema.rs`); every
//!   other list, including every list of a CRD (CNPG, Velero, ...), is replaced by the patch's list;
//! - lists with one merge key put the patch's elements first, in patch order (merged ones
//!   included), then the target's remaining ones; lists with two keys (container and service
//!   ports, topologySpreadConstraints) put new elements first, then the target's in their order,
//!   merged in place; primitive merge lists (`finalizers`) are unions, patch values first;
//! - kyaml's quirks are kept, because kustomize's output has them: an element without its merge key
//!   removes every keyed element of the list; a second key present on one side only drops the patch
//!   element; `$patch: replace` on one element has no effect; duplicates collapse to the last;
//! - `$patch: delete` on a map (also the whole object: `Ok(None)`), `$patch: replace` on a map,
//!   `- $patch: replace|delete` as a list's own element, `$patch: delete` on a list element;
//! - `$retainKeys`, `$setElementOrder/<f>`, `$deleteFromPrimitiveList/<f>` are NOT interpreted by
//!   kustomize: they are copied into the output as ordinary fields, and so they are here;
//! - a scalar replacing a quoted scalar keeps the quotes (kyaml keeps the target's style), so
//!   `"1"` patched with `2` gives the string "2".

mod json6902;
pub mod schema;
mod smp;

use crate::source::yaml::Node;

/// Strategic merge patch as kustomize v5.5.0 applies it (kyaml merge2 with the built-in OpenAPI schema). Ok(None) when `$patch: delete` at the top deletes the whole object.
pub fn strategic_merge(target: &Node, patch: &Node) -> Result<Option<Node>, String> {
    smp::merge(target, patch)
}

/// RFC 6902 JSON patch as kustomize applies it: `ops` is a sequence of {op, path, value, from} (add, remove, replace, move, copy, test), JSON-pointer paths with ~0/~1 escapes and `-` for append.
pub fn json6902(target: &Node, ops: &Node) -> Result<Node, String> {
    json6902::apply(target, ops)
}
