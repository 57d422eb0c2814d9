//! Offline schema validation of Kubernetes objects, at the source line.
//!
//! Schemas come from three places, later ones winning: the Kubernetes v1.37 strict schemas and
//! the operators' CRDs bundled in the binary (`schemas/`, built by `import`), and the CRDs found
//! in the linted repository itself (and `schema.crd-dirs`). A validator is compiled once per kind
//! and shared: bundled kinds for the whole process, repository kinds for the run.

pub mod cel;
pub mod convert;
pub mod import;
mod validate;
mod validations;

pub use validate::Violation;

use crate::model::{Index, Resource};
use jsonschema::{Registry, Validator};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

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

/// The bundled schemas, parsed once per process.
struct Bundle {
    /// The Kubernetes `$defs` document, which every validator's `$ref`s resolve into.
    registry: Registry<'static>,
    defs: Arc<Value>,
    /// `apps/v1/Deployment` -> definition name.
    builtin: HashMap<String, String>,
    /// `postgresql.cnpg.io/v1/Cluster` -> converted CRD schema (shared, not copied, per object).
    crds: HashMap<String, Arc<Value>>,
    compiled: Mutex<HashMap<String, Option<Arc<Validator>>>>,
}

/// The bundle of a version from `KUBERNETES_VERSIONS` (the newest for anything else).
fn bundle(version: &str) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; K8S_BUNDLE_COUNT] = [const { OnceLock::new() }; K8S_BUNDLE_COUNT];
    let i = KUBERNETES_VERSIONS.iter().position(|v| *v == version).unwrap_or(0);
    BUNDLES[i].get_or_init(|| {
        let mut k8s: Value = serde_json::from_str(K8S_BUNDLES[i]).expect("bundled Kubernetes schemas are JSON");
        let crds: Value = serde_json::from_str(CRD_BUNDLE).expect("bundled CRD schemas are JSON");
        // One copy of the definitions (about 10 MB parsed), shared with the registry.
        let defs = Arc::new(serde_json::json!({ "$defs": k8s.get_mut("$defs").map(Value::take).unwrap_or_default() }));
        let registry = Registry::new()
            .add(convert::K8S_URI, defs.clone())
            .and_then(|b| b.prepare())
            .expect("bundled Kubernetes schemas form a registry");
        let builtin = k8s
            .get("kinds")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
            .unwrap_or_default();
        let crds = crds.get("kinds").and_then(Value::as_object).map(|m| m.clone().into_iter().map(|(k, v)| (k, Arc::new(v))).collect()).unwrap_or_default();
        Bundle { registry, defs, builtin, crds, compiled: Mutex::new(HashMap::new()) }
    })
}

/// Read the bundled schemas on a thread of their own while the run reads and renders files, which
/// leaves a core idle much of the time: reading them (tens of milliseconds) is then off the path
/// of the schema rules, which wait for it.
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
    /// Validators compiled from `configured` and `repo` schemas, by (repository, kind key)
    /// (`None` as repository for `configured` ones).
    compiled: Mutex<HashMap<(Option<String>, String), Option<Arc<Validator>>>>,
    /// Whether a kind's schema carries CEL rules (a walk of the whole schema): once per kind.
    with_rules: Mutex<HashMap<(Option<String>, String), bool>>,
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
        SchemaSet { version, configured, repo, compiled: Mutex::new(HashMap::new()), with_rules: Mutex::new(HashMap::new()) }
    }

    /// Only the bundled schemas (of the newest bundled Kubernetes version).
    pub fn bundled() -> SchemaSet {
        SchemaSet { version: KUBERNETES_VERSION, configured: HashMap::new(), repo: HashMap::new(), compiled: Mutex::new(HashMap::new()), with_rules: Mutex::new(HashMap::new()) }
    }

    /// The schema of a kind key from the repository's CRDs or the configured ones, with the
    /// repository it is cached under.
    fn own(&self, repo: &Option<String>, key: &str) -> Option<(Option<String>, &Arc<Value>)> {
        if let Some(s) = self.repo.get(&(repo.clone(), key.to_string())) {
            return Some((repo.clone(), s));
        }
        self.configured.get(key).map(|s| (None, s))
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

    /// The root schema of a kind (for suggestions), with the document `$ref`s resolve into.
    fn root(&self, repo: &Option<String>, key: &str) -> Option<Arc<Value>> {
        let b = bundle(self.version);
        if let Some((_, s)) = self.own(repo, key) {
            return Some(s.clone());
        }
        if let Some(s) = b.crds.get(key) {
            return Some(s.clone());
        }
        b.builtin.get(key).map(|def| Arc::new(serde_json::json!({ "$ref": format!("{}#/$defs/{def}", convert::K8S_URI) })))
    }

    fn validator(&self, repo: &Option<String>, key: &str) -> Option<Arc<Validator>> {
        let b = bundle(self.version);
        let own = self.own(repo, key).map(|(r, _)| (r, key.to_string()));
        let cached = match &own {
            Some(k) => self.compiled.lock().ok()?.get(k).cloned(),
            None => b.compiled.lock().ok()?.get(key).cloned(),
        };
        if let Some(v) = cached {
            return v;
        }
        let root = self.root(repo, key);
        // A schema the crate cannot compile (a pattern it does not support, say) validates nothing.
        let compiled = root.and_then(|root| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .with_registry(&b.registry)
                .with_pattern_options(jsonschema::PatternOptions::regex())
                .should_validate_formats(false)
                .build(root.as_ref())
                .ok()
                .map(Arc::new)
        });
        match own {
            Some(k) => self.compiled.lock().ok()?.insert(k, compiled.clone()),
            None => b.compiled.lock().ok()?.insert(key.to_string(), compiled.clone()),
        };
        compiled
    }

    /// Validate one object. `None` when drlint has no schema for its kind and version.
    pub fn validate(&self, object: &Resource) -> Option<Vec<Violation>> {
        let key = key(object.api_version(), object.kind());
        let validator = self.validator(&object.repo, &key)?;
        let root = self.root(&object.repo, &key)?;
        let resolve = |r: &str| -> Option<&'static Value> {
            let name = r.strip_prefix(convert::K8S_URI).unwrap_or(r).strip_prefix("#/$defs/")?;
            bundle(self.version).defs.get("$defs")?.get(name)
        };
        let cel = *self.with_rules.lock().unwrap_or_else(|e| e.into_inner()).entry((object.repo.clone(), key)).or_insert_with(|| validations::has_rules(&root));
        Some(validate::check(&validator, &root, &resolve, object, cel))
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
