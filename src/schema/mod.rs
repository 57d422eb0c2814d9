//! Offline schema validation of Kubernetes objects, at the source line.
//!
//! Schemas come from three places, later ones winning: the Kubernetes v1.37 strict schemas and
//! the operators' CRDs bundled in the binary (`schemas/`, built by `import`), and the CRDs found
//! in the linted repository itself (and `schema.crd-dirs`). A validator is compiled once per kind
//! and run, used for that kind's objects and dropped (compiled kinds are large).

pub mod cel;
pub mod convert;
pub mod import;
mod validate;
mod validations;

pub use validate::Violation;

use crate::model::{Index, Resource};
use jsonschema::{Registry, Validator};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

/// The Kubernetes version whose schemas are bundled.
pub const KUBERNETES_VERSION: &str = "1.37.0";
/// Every bundled Kubernetes version (`--kubernetes-version` picks one), newest first.
pub const KUBERNETES_VERSIONS: &[&str] = &[KUBERNETES_VERSION];
const K8S_BUNDLE_COUNT: usize = KUBERNETES_VERSIONS.len();

/// The bundled version a user's `--kubernetes-version` or `schema.kubernetes-version` names:
/// `1.37.0`, `v1.37.0` or `1.37` (the newest bundled patch of that minor). Anything else is an
/// error that lists the bundled versions.
pub fn kubernetes_version(wanted: &str) -> Result<&'static str, String> {
    let w = wanted.trim().trim_start_matches('v');
    let found = KUBERNETES_VERSIONS.iter().find(|v| **v == w || (w.matches('.').count() == 1 && v.starts_with(&format!("{w}."))));
    found.copied().ok_or_else(|| {
        format!("Kubernetes version `{wanted}` is not bundled (bundled: {})", KUBERNETES_VERSIONS.join(", "))
    })
}
/// The Kubernetes schemas of each bundled version, in the order of `KUBERNETES_VERSIONS`.
const K8S_BUNDLES: &[&str] = &[include_str!("../../schemas/kubernetes/v1.37.0.json")];
pub const CRD_BUNDLE: &str = include_str!("../../schemas/crds.json");

/// The bundled schemas, indexed once per process and parsed only where a run needs them: each
/// definition and CRD schema stays text (borrowed from the binary) until a kind that reaches it
/// is validated. Parsed whole they took 10 MB, a quarter of a large repository's run.
struct Bundle {
    /// Kubernetes definition name -> its schema's text; `$ref`s point at `K8S_URI#/$defs/<name>`.
    defs: HashMap<&'static str, &'static RawValue>,
    /// `apps/v1/Deployment` -> definition name.
    builtin: HashMap<String, String>,
    /// `postgresql.cnpg.io/v1/Cluster` -> converted CRD schema's text.
    crds: HashMap<String, &'static RawValue>,
}

#[derive(serde::Deserialize)]
struct BundleText {
    #[serde(rename = "$defs", borrow, default)]
    defs: HashMap<&'static str, &'static RawValue>,
    #[serde(borrow, default)]
    kinds: HashMap<String, &'static RawValue>,
}

/// The bundle of a version from `KUBERNETES_VERSIONS` (the newest for anything else).
fn bundle(version: &str) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; K8S_BUNDLE_COUNT] = [const { OnceLock::new() }; K8S_BUNDLE_COUNT];
    let i = KUBERNETES_VERSIONS.iter().position(|v| *v == version).unwrap_or(0);
    BUNDLES[i].get_or_init(|| {
        let k8s: BundleText = serde_json::from_str(K8S_BUNDLES[i]).expect("bundled Kubernetes schemas are JSON");
        let crds: BundleText = serde_json::from_str(CRD_BUNDLE).expect("bundled CRD schemas are JSON");
        let builtin = k8s.kinds.into_iter().map(|(k, v)| (k, serde_json::from_str::<String>(v.get()).unwrap_or_default())).collect();
        Bundle { defs: k8s.defs, builtin, crds: crds.kinds }
    })
}

/// The names of the Kubernetes definitions a schema refers to through `$ref`.
fn refs<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.extend(r.strip_prefix(convert::K8S_URI).unwrap_or(r).strip_prefix("#/$defs/")),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The bundled definitions `schema` refers to, by their names in the bundle.
fn bundled_refs(b: &Bundle, schema: &Value) -> Vec<&'static str> {
    let mut names = Vec::new();
    refs(schema, &mut names);
    names.into_iter().filter_map(|n| b.defs.get_key_value(n).map(|(k, _)| *k)).collect()
}

/// The Kubernetes definitions reached from `wanted` through `$ref`s, parsed, as the document the
/// registry serves at `K8S_URI`.
fn reached_defs(b: &Bundle, mut wanted: Vec<&'static str>) -> Value {
    let mut defs = serde_json::Map::new();
    while let Some(name) = wanted.pop() {
        if defs.contains_key(name) {
            continue;
        }
        let Some(Ok(def)) = b.defs.get(name).map(|raw| serde_json::from_str::<Value>(raw.get())) else { continue };
        wanted.extend(bundled_refs(b, &def));
        defs.insert(name.to_string(), def);
    }
    let mut doc = serde_json::Map::new();
    doc.insert("$defs".to_string(), Value::Object(defs));
    Value::Object(doc)
}

/// Index the bundled schemas on a thread of their own while the run reads and renders files,
/// which leaves a core idle much of the time: off the path of the schema rules, which wait for it.
pub fn warm_up() {
    std::thread::spawn(|| {
        bundle(KUBERNETES_VERSION);
    });
}

/// What drlint knows about an object's kind.
pub enum Lookup {
    Found,
    /// The group and kind are known, in other API versions only (listed).
    OtherVersions(Vec<String>),
    Unknown,
}

/// The schemas for one lint run: the bundle plus the repository's own CRDs.
pub struct SchemaSet {
    /// The bundled Kubernetes version built-in kinds are validated with.
    version: &'static str,
    /// CRDs from `schema.crd-dirs`: every repository's objects see them.
    configured: HashMap<String, Arc<Value>>,
    /// CRDs among the objects, by (repository, kind key): a check of several repositories
    /// validates each one's objects with its own CRDs only (`Resource::repo`).
    repo: HashMap<(Option<String>, String), Arc<Value>>,
}

impl SchemaSet {
    /// The bundle of the configured Kubernetes version plus every CustomResourceDefinition among
    /// `index`'s objects and in the configured CRD folders.
    pub fn for_index(index: &Index, settings: Option<&crate::settings::SchemaSettings>) -> SchemaSet {
        let mut configured = HashMap::new();
        let mut repo = HashMap::new();
        let version = settings.and_then(|s| s.kubernetes_version).unwrap_or(KUBERNETES_VERSION);
        for dir in settings.map(|s| s.crd_dirs.as_slice()).unwrap_or_default() {
            if let Ok(text) = import::crds(dir) {
                if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&text) {
                    if let Some(Value::Object(kinds)) = m.get("kinds") {
                        configured.extend(kinds.clone().into_iter().map(|(k, v)| (k, Arc::new(v))));
                    }
                }
            }
        }
        for r in &index.resources {
            if r.is("apiextensions.k8s.io", "CustomResourceDefinition") {
                repo.extend(convert::crd_versions(&r.node.to_json()).into_iter().map(|(k, v)| ((r.repo.clone(), k), Arc::new(v))));
            }
        }
        SchemaSet { version, configured, repo }
    }

    /// Only the bundled schemas (of the newest bundled Kubernetes version).
    pub fn bundled() -> SchemaSet {
        SchemaSet { version: KUBERNETES_VERSION, configured: HashMap::new(), repo: HashMap::new() }
    }

    /// The schema of a kind key from the repository's CRDs or the configured ones.
    fn own(&self, repo: &Option<String>, key: &str) -> Option<&Arc<Value>> {
        self.repo.get(&(repo.clone(), key.to_string())).or_else(|| self.configured.get(key))
    }

    fn has(&self, repo: &Option<String>, key: &str) -> bool {
        let b = bundle(self.version);
        self.own(repo, key).is_some() || b.builtin.contains_key(key) || b.crds.contains_key(key)
    }

    /// Whether drlint has a schema for this kind in objects of `repo` (`Resource::repo`).
    pub fn lookup(&self, repo: &Option<String>, api_version: &str, kind: &str) -> Lookup {
        if self.has(repo, &key(api_version, kind)) {
            return Lookup::Found;
        }
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let b = bundle(self.version);
        let mut versions = BTreeSet::new();
        let own = self.repo.keys().filter(|(r, _)| r == repo).map(|(_, k)| k).chain(self.configured.keys());
        for k in own.chain(b.builtin.keys()).chain(b.crds.keys()) {
            let Some((api, kd)) = k.rsplit_once('/') else { continue };
            let g = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            if kd == kind && g == group {
                versions.insert(api.to_string());
            }
        }
        if versions.is_empty() { Lookup::Unknown } else { Lookup::OtherVersions(versions.into_iter().collect()) }
    }

    /// The root schema of a kind (its `$ref`s resolve into the Kubernetes definitions).
    fn root(&self, repo: &Option<String>, key: &str) -> Option<Arc<Value>> {
        let b = bundle(self.version);
        if let Some(s) = self.own(repo, key) {
            return Some(s.clone());
        }
        if let Some(raw) = b.crds.get(key) {
            return serde_json::from_str(raw.get()).ok().map(Arc::new);
        }
        b.builtin.get(key).map(|def| Arc::new(serde_json::json!({ "$ref": format!("{}#/$defs/{def}", convert::K8S_URI) })))
    }

    /// The validator of a kind, compiled for this call. Not kept: a compiled kind holds its own
    /// copy of every definition it reaches (a Deployment's is about 4 MB), so keeping each kind's
    /// for the whole run cost more memory than all parsed manifests of a large repository.
    fn validator(registry: &Registry, root: &Value) -> Option<Validator> {
        // A schema the crate cannot compile (a pattern it does not support, say) validates nothing.
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(registry)
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .should_validate_formats(false)
            .build(root)
            .ok()
    }

    /// Validate one object (`validate_all` of one). `None` when drlint has no schema for its kind
    /// and version.
    pub fn validate(&self, object: &Resource) -> Option<Vec<Violation>> {
        self.validate_all(&[object]).pop().flatten()
    }

    /// Validate each object, on every core. Kinds are taken one after another: a kind's validator is
    /// compiled, validates that kind's objects on every core, and is dropped before the next is
    /// compiled (two compiled at once, one per core, were a megabyte more of a run's peak memory on
    /// webgrip, for 5% of its time). Each result is `None` when drlint has no schema for the
    /// object's kind and version (or cannot compile it); results are in the order of `objects`.
    pub fn validate_all(&self, objects: &[&Resource]) -> Vec<Option<Vec<Violation>>> {
        use rayon::prelude::*;
        let mut by_kind: HashMap<(&Option<String>, String), Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry((&o.repo, key(o.api_version(), o.kind()))).or_default().push(i);
        }
        let mut groups: Vec<_> = by_kind.into_iter().collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        // The Kubernetes definitions the kinds reach, parsed once for the run. A kind's own schema
        // is parsed again when it is compiled rather than kept: all of them at once were a third of
        // the memory validation adds.
        let b = bundle(self.version);
        let wanted = groups.iter().flat_map(|((repo, key), _)| self.root(repo, key).map(|r| bundled_refs(b, &r)).unwrap_or_default()).collect();
        let defs = reached_defs(b, wanted);
        let Ok(registry) = Registry::new().add(convert::K8S_URI, &defs).and_then(|b| b.prepare()) else {
            return objects.iter().map(|_| None).collect();
        };
        let resolve = |r: &str| -> Option<&Value> {
            let name = r.strip_prefix(convert::K8S_URI).unwrap_or(r).strip_prefix("#/$defs/")?;
            defs.get("$defs")?.get(name)
        };
        let checked: Vec<Vec<(usize, Option<Vec<Violation>>)>> = groups
            .iter()
            .map(|((repo, key), members)| {
                let root = self.root(repo, key);
                let compiled = root.as_deref().and_then(|root| Self::validator(&registry, root)).zip(root.as_deref());
                let Some((validator, root)) = compiled else { return members.iter().map(|&i| (i, None)).collect() };
                let cel = validations::has_rules(root);
                members.par_iter().map(|&i| (i, Some(validate::check(&validator, root, &resolve, objects[i], cel)))).collect()
            })
            .collect();
        let mut out: Vec<Option<Vec<Violation>>> = (0..objects.len()).map(|_| None).collect();
        for (i, v) in checked.into_iter().flatten() {
            out[i] = v;
        }
        out
    }
}

/// Validate one object against a user's JSON Schema (a config policy's `schema:`): findings at
/// the key or value, worded as `schema-violation`'s.
pub fn check_with(validator: &Validator, schema: &Value, object: &Resource) -> Vec<Violation> {
    validate::check(validator, schema, &|_| None, object, validations::has_rules(schema))
}

fn key(api_version: &str, kind: &str) -> String {
    format!("{api_version}/{kind}")
}

/// A value filled in later, whose content is not known yet: Flux substitution (`${VAR}`), a
/// template (`{{ .Values.x }}`), a SOPS-encrypted value (`ENC[...]`, decrypted by Flux).
pub fn is_placeholder(s: &str) -> bool {
    s.contains("${") || s.contains("{{") || s.starts_with("ENC[")
}

/// Objects the schema rules look at: what is applied (deployed, and not a file its kustomization
/// leaves out).
pub fn validated(object: &Resource) -> bool {
    object.deployed && !object.unlisted
}

/// True when `apiVersion`/`kind` is a Kubernetes built-in with a bundled schema.
pub fn is_builtin(api_version: &str, kind: &str) -> bool {
    bundle(KUBERNETES_VERSION).builtin.contains_key(&key(api_version, kind))
}
