//! Secrets as rules see them: the references objects make to Secrets (with the span of the name
//! and key), and the objects that provide Secrets (with the keys they hold, when known).
//!
//! References: CNPG `Cluster` (object-store credentials, bootstrap and superuser secrets, managed
//! roles, external clusters, certificates, monitoring queries, post-init SQL) and `Pooler`
//! (`spec.pgbouncer` auth query and TLS secrets), barman-cloud
//! `ObjectStore`, Velero `BackupStorageLocation` / `VolumeSnapshotLocation`, and every pod spec of
//! the built-in workload kinds. Providers: `Secret` (plain or SOPS), `SealedSecret`,
//! `ExternalSecret` / `ClusterExternalSecret`, cert-manager `Certificate`, grafana-operator
//! `GrafanaServiceAccount` tokens, the Secrets CNPG makes for each `Cluster`, and
//! `provided-secrets` in `.drlint.yaml`. CNPG reads `username` and `password` from basic-auth
//! Secrets (`GetUserPasswordFromSecret` fails without either).

use super::cnpg::{Cluster, BARMAN_CLOUD_GROUP, GROUP as CNPG_GROUP};
use super::workloads::{pod_containers, pod_spec, pod_volumes};
use super::{Index, Resource};
use crate::settings::ProvidedSecret;
use crate::source::yaml::Node;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

pub const VELERO_GROUP: &str = "velero.io";
pub const SEALED_SECRETS_GROUP: &str = "bitnami.com";
pub const EXTERNAL_SECRETS_GROUP: &str = "external-secrets.io";
pub const CERT_MANAGER_GROUP: &str = "cert-manager.io";
pub const GRAFANA_GROUP: &str = "grafana.integreatly.org";

/// A core `v1` Secret.
pub fn is_secret(r: &Resource) -> bool {
    r.is("", "Secret") && r.api_version() == "v1"
}

/// Whether a Secret document is SOPS-encrypted: a top-level `sops:` mapping.
pub fn is_sops(root: &Node) -> bool {
    root.get("sops").is_some_and(Node::is_map)
}

/// A SOPS-encrypted value: `ENC[AES256_GCM,data:...,type:str]`.
pub fn is_sops_value(v: &str) -> bool {
    v.trim_start().starts_with("ENC[")
}

/// The namespace an object was given, by itself or by what renders it; `None` when the object
/// is linted as written without one, and so could land in any namespace.
/// A namespace holding a substitution variable (`${NS}`) is unknown too.
pub fn declared_namespace(r: &Resource) -> Option<&str> {
    r.node.str_at(&["metadata", "namespace"]).or(r.default_namespace.as_deref()).filter(|ns| !is_templated(ns))
}

/// A name that still holds a substitution variable (`${APP}`, Flux postBuild or envsubst) or a
/// Helm template: what it resolves to is not known statically.
pub fn is_templated(name: &str) -> bool {
    name.contains("${") || name.contains("{{")
}

/// One reference to a Secret.
#[derive(Clone, Debug)]
pub struct SecretRef<'a> {
    pub name: &'a str,
    /// The name's node (where a missing Secret is reported).
    pub name_span: Span,
    /// The key read, with its node (where a missing key is reported).
    pub key: Option<(&'a str, Span)>,
    /// Keys the consumer needs although the reference does not name them (CNPG reads `username`
    /// and `password` from a basic-auth Secret); reported at the name.
    pub implied_keys: &'static [&'static str],
    /// `optional: true`: the consumer starts without it.
    pub optional: bool,
    /// Where the reference is, for messages: "`spec.backup.barmanObjectStore.s3Credentials.accessKeyId`",
    /// "env `DB_PASSWORD` of container `app`".
    pub field: String,
}

const BASIC_AUTH: &[&str] = &["username", "password"];

/// Every Secret an object references.
pub fn references(r: &Resource) -> Vec<SecretRef<'_>> {
    let mut out = Vec::new();
    if let Some(pod) = pod_spec(r) {
        pod_references(pod, &mut out);
    } else if r.is(CNPG_GROUP, "Cluster") {
        cluster_references(r, &mut out);
    } else if r.is(CNPG_GROUP, "Pooler") {
        for f in ["authQuerySecret", "clientCASecret", "clientTLSSecret", "serverCASecret", "serverTLSSecret"] {
            local_ref(&r.node, &["spec", "pgbouncer", f], &format!("`spec.pgbouncer.{f}`"), &[], &mut out);
        }
    } else if r.is(BARMAN_CLOUD_GROUP, "ObjectStore") {
        if let Some(conf) = r.node.at(&["spec", "configuration"]) {
            object_store_references(conf, "spec.configuration", "", &mut out);
        }
    } else if r.group() == VELERO_GROUP && matches!(r.kind(), "BackupStorageLocation" | "VolumeSnapshotLocation") {
        selector(&r.node, &["spec", "credential"], "`spec.credential`", &mut out);
    }
    out.retain(|reference| !is_templated(reference.name));
    out
}

/// A `{name, key, optional}` selector at `path` below `parent`.
fn selector<'a>(parent: &'a Node, path: &[&str], field: &str, out: &mut Vec<SecretRef<'a>>) {
    let Some(sel) = parent.at(path).filter(|n| n.is_map()) else { return };
    let Some(name) = sel.get("name").filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) else { return };
    out.push(SecretRef {
        name: name.as_text().unwrap(),
        name_span: name.span,
        key: sel.get("key").and_then(|k| Some((k.as_text()?, k.span))),
        implied_keys: &[],
        optional: sel.get("optional").and_then(Node::as_bool) == Some(true),
        field: field.to_string(),
    });
}

/// A `{name}` reference (LocalObjectReference) at `path` below `parent`.
fn local_ref<'a>(parent: &'a Node, path: &[&str], field: &str, implied: &'static [&'static str], out: &mut Vec<SecretRef<'a>>) {
    let Some(name) = parent.at(path).and_then(|n| n.get("name")).filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) else {
        return;
    };
    out.push(SecretRef {
        name: name.as_text().unwrap(),
        name_span: name.span,
        key: None,
        implied_keys: implied,
        optional: false,
        field: field.to_string(),
    });
}

/// A Secret named by a plain string at `path` (CNPG's certificate fields).
fn name_string<'a>(parent: &'a Node, path: &[&str], field: &str, out: &mut Vec<SecretRef<'a>>) {
    let Some(name) = parent.at(path).filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) else { return };
    out.push(SecretRef { name: name.as_text().unwrap(), name_span: name.span, key: None, implied_keys: &[], optional: false, field: field.to_string() });
}

/// Credentials of a barman object store (`barmanObjectStore` or an ObjectStore's `configuration`).
fn object_store_references<'a>(store: &'a Node, prefix: &str, suffix: &str, out: &mut Vec<SecretRef<'a>>) {
    const KEYS: &[(&str, &[&str])] = &[
        ("s3Credentials", &["accessKeyId", "secretAccessKey", "region", "sessionToken"]),
        ("azureCredentials", &["connectionString", "storageAccount", "storageKey", "storageSasToken"]),
        ("googleCredentials", &["applicationCredentials"]),
    ];
    for (block, fields) in KEYS {
        for f in *fields {
            selector(store, &[block, f], &format!("`{prefix}.{block}.{f}`{suffix}"), out);
        }
    }
    selector(store, &["endpointCA"], &format!("`{prefix}.endpointCA`{suffix}"), out);
}

fn cluster_references<'a>(r: &'a Resource, out: &mut Vec<SecretRef<'a>>) {
    let Some(spec) = r.spec() else { return };
    if let Some(store) = Cluster(r).barman_object_store() {
        object_store_references(store, "spec.backup.barmanObjectStore", "", out);
    }
    // CNPG ignores superuserSecret unless superuser access is enabled (the default is off).
    if spec.get("enableSuperuserAccess").and_then(Node::as_bool) == Some(true) {
        local_ref(spec, &["superuserSecret"], "`spec.superuserSecret`", BASIC_AUTH, out);
    }
    for method in ["initdb", "recovery", "pg_basebackup"] {
        local_ref(spec, &["bootstrap", method, "secret"], &format!("`spec.bootstrap.{method}.secret`"), BASIC_AUTH, out);
    }
    for (i, item) in spec.at(&["bootstrap", "initdb", "postInitApplicationSQLRefs", "secretRefs"]).into_iter().flat_map(|s| s.items()).enumerate() {
        selector(item, &[], &format!("`spec.bootstrap.initdb.postInitApplicationSQLRefs.secretRefs[{i}]`"), out);
    }
    for role in spec.at(&["managed", "roles"]).into_iter().flat_map(|s| s.items()) {
        if role.get("disablePassword").and_then(Node::as_bool) == Some(true) {
            continue;
        }
        let who = role.str_at(&["name"]).unwrap_or("?");
        local_ref(role, &["passwordSecret"], &format!("`passwordSecret` of managed role `{who}`"), BASIC_AUTH, out);
    }
    for ext in spec.get("externalClusters").into_iter().flat_map(|s| s.items()) {
        let who = ext.str_at(&["name"]).unwrap_or("?");
        for f in ["password", "sslCert", "sslKey", "sslRootCert"] {
            selector(ext, &[f], &format!("`{f}` of external cluster `{who}`"), out);
        }
        if let Some(store) = ext.get("barmanObjectStore").filter(|n| n.is_map()) {
            object_store_references(store, "barmanObjectStore", &format!(" of external cluster `{who}`"), out);
        }
    }
    for f in ["serverTLSSecret", "serverCASecret", "clientCASecret", "replicationTLSSecret"] {
        name_string(spec, &["certificates", f], &format!("`spec.certificates.{f}`"), out);
    }
    for (i, item) in spec.at(&["monitoring", "customQueriesSecret"]).into_iter().flat_map(|s| s.items()).enumerate() {
        selector(item, &[], &format!("`spec.monitoring.customQueriesSecret[{i}]`"), out);
    }
}

fn pod_references<'a>(pod: &'a Node, out: &mut Vec<SecretRef<'a>>) {
    for c in pod_containers(pod) {
        let cname = c.str_at(&["name"]).unwrap_or("?");
        for env in c.get("env").into_iter().flat_map(|e| e.items()) {
            let var = env.str_at(&["name"]).unwrap_or("?");
            selector(env, &["valueFrom", "secretKeyRef"], &format!("env `{var}` of container `{cname}`"), out);
        }
        for from in c.get("envFrom").into_iter().flat_map(|e| e.items()) {
            let before = out.len();
            selector(from, &["secretRef"], &format!("`envFrom` of container `{cname}`"), out);
            for r in &mut out[before..] {
                r.key = None;
            }
        }
    }
    for vol in pod_volumes(pod) {
        let vname = vol.str_at(&["name"]).unwrap_or("?");
        if let Some(secret) = vol.get("secret").filter(|n| n.is_map())
            && let Some(name) = secret.get("secretName").filter(|n| n.as_text().is_some_and(|s| !s.is_empty()))
        {
            volume_source(secret, name, &format!("volume `{vname}`"), out);
        }
        for (i, src) in vol.at(&["projected", "sources"]).into_iter().flat_map(|s| s.items()).enumerate() {
            if let Some(secret) = src.get("secret").filter(|n| n.is_map())
                && let Some(name) = secret.get("name").filter(|n| n.as_text().is_some_and(|s| !s.is_empty()))
            {
                volume_source(secret, name, &format!("projected volume `{vname}` source {i}"), out);
            }
        }
    }
    for ips in pod.get("imagePullSecrets").into_iter().flat_map(|s| s.items()) {
        if let Some(name) = ips.get("name").filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) {
            out.push(SecretRef { name: name.as_text().unwrap(), name_span: name.span, key: None, implied_keys: &[], optional: false, field: "`imagePullSecrets`".into() });
        }
    }
}

/// A `secret` volume or projected source: the Secret, and each key its `items` select.
fn volume_source<'a>(source: &'a Node, name: &'a Node, field: &str, out: &mut Vec<SecretRef<'a>>) {
    let optional = source.get("optional").and_then(Node::as_bool) == Some(true);
    let base = SecretRef { name: name.as_text().unwrap(), name_span: name.span, key: None, implied_keys: &[], optional, field: field.to_string() };
    let items: Vec<&Node> = source.get("items").into_iter().flat_map(|i| i.items()).collect();
    if items.is_empty() {
        out.push(base);
        return;
    }
    for item in items {
        let key = item.get("key").and_then(|k| Some((k.as_text()?, k.span)));
        out.push(SecretRef { key, ..base.clone() });
    }
}

/// What provides a Secret.
#[derive(Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub cluster: Option<String>,
    /// `None`: any namespace (declared so, or an object linted without a namespace).
    pub namespace: Option<String>,
    /// `None`: unknown keys.
    pub keys: Option<BTreeSet<String>>,
    /// The providing object, "Secret", "SealedSecret `x`", "ExternalSecret `x`", ...
    pub what: String,
    /// Where it is declared (`None` for `.drlint.yaml` entries).
    pub span: Option<Span>,
    /// Made by an operator for another object (CNPG's Secrets for a Cluster).
    pub generated: bool,
    /// Adds its keys to a Secret another provider makes (ExternalSecret `creationPolicy: Merge`).
    pub merges: bool,
    /// The providing object's position in `Index::resources` (set by `Providers::new`).
    pub resource: Option<usize>,
}

fn keys_of(m: Option<&Node>) -> impl Iterator<Item = String> + '_ {
    m.into_iter().flat_map(|m| m.entries()).filter(|(k, _, _)| !k.is_empty()).map(|(k, _, _)| k.to_string())
}

/// Secret operators that write a Secret from an object of their own: (group, kind, where the
/// Secret's name is: dotted paths tried in order, `""` for the object's own name, `list[].field`
/// for one Secret per item). Their keys come from a vault and are not known.
const SECRET_OPERATORS: &[(&str, &str, &[&str])] = &[
    ("onepassword.com", "OnePasswordItem", &[""]),
    ("k8s.bitwarden.com", "BitwardenSecret", &["spec.secretName"]),
    ("secrets.hashicorp.com", "VaultStaticSecret", &["spec.destination.name"]),
    ("secrets.hashicorp.com", "VaultDynamicSecret", &["spec.destination.name"]),
    ("secrets.hashicorp.com", "VaultPKISecret", &["spec.destination.name"]),
    ("secrets.hashicorp.com", "HCPVaultSecretsApp", &["spec.destination.name"]),
    ("ricoberger.de", "VaultSecret", &[""]),
    ("secrets.doppler.com", "DopplerSecret", &["spec.managedSecret.name"]),
    ("secrets.infisical.com", "InfisicalSecret", &["spec.managedSecretReference.secretName", "spec.managedKubeSecretReferences[].secretName"]),
    ("isindir.github.com", "SopsSecret", &["spec.secretTemplates[].name"]),
    ("secretgenerator.mittwald.de", "StringSecret", &[""]),
    ("secretgenerator.mittwald.de", "BasicAuth", &[""]),
    ("secretgenerator.mittwald.de", "SSHKeyPair", &[""]),
];

fn split(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

/// The Secrets an object provides.
pub fn providers(r: &Resource) -> Vec<Provider> {
    let base = |name: &str, keys: Option<BTreeSet<String>>, what: String, span: Span| Provider {
        name: name.to_string(),
        cluster: r.cluster.clone(),
        namespace: declared_namespace(r).map(str::to_string),
        keys,
        what,
        span: Some(span),
        generated: false,
        merges: false,
        resource: None,
    };
    let mut out = Vec::new();
    if is_secret(r) {
        let mut keys: BTreeSet<String> = keys_of(r.node.get("data")).chain(keys_of(r.node.get("stringData"))).collect();
        if r.node.str_at(&["type"]) == Some("kubernetes.io/service-account-token") {
            // The token controller fills these in.
            keys.extend(["token", "ca.crt", "namespace"].map(str::to_string));
        }
        out.push(base(r.name(), Some(keys), format!("Secret `{}`", r.name()), r.span()));
    } else if r.is(SEALED_SECRETS_GROUP, "SealedSecret") {
        let tmpl = r.node.at(&["spec", "template"]);
        let named = tmpl.and_then(|t| t.at(&["metadata", "name"])).filter(|n| n.as_text().is_some());
        let name = named.and_then(Node::as_text).unwrap_or(r.name());
        let keys = keys_of(r.node.at(&["spec", "encryptedData"])).chain(keys_of(tmpl.and_then(|t| t.get("data")))).collect();
        out.push(base(name, Some(keys), format!("SealedSecret `{}`", r.name()), named.map(|n| n.span).unwrap_or(r.span())));
    } else if r.is(EXTERNAL_SECRETS_GROUP, "ExternalSecret") {
        // `creationPolicy: None` writes no Secret; `Merge` adds keys to a Secret made elsewhere.
        let policy = r.node.str_at(&["spec", "target", "creationPolicy"]);
        if let Some(spec) = r.spec().filter(|_| policy != Some("None")) {
            let (name, keys) = external_secret_target(r.name(), spec);
            let span = spec.at(&["target", "name"]).filter(|n| n.as_text() == Some(name)).map(|n| n.span).unwrap_or(r.span());
            out.push(Provider { merges: policy == Some("Merge"), ..base(name, keys, format!("ExternalSecret `{}`", r.name()), span) });
        }
    } else if r.is(EXTERNAL_SECRETS_GROUP, "ClusterExternalSecret") {
        if let Some(spec) = r.node.at(&["spec", "externalSecretSpec"]) {
            let es_name = r.node.str_at(&["spec", "externalSecretName"]).unwrap_or(r.name());
            let (name, keys) = external_secret_target(es_name, spec);
            let what = format!("ClusterExternalSecret `{}`", r.name());
            let listed: Vec<&str> = r.node.at(&["spec", "namespaces"]).into_iter().flat_map(|n| n.items()).filter_map(Node::as_text).collect();
            let selects = r.node.at(&["spec", "namespaceSelector"]).is_some() || r.node.at(&["spec", "namespaceSelectors"]).is_some();
            if selects || listed.is_empty() {
                out.push(Provider { namespace: None, ..base(name, keys.clone(), what.clone(), r.span()) });
            }
            for ns in listed {
                out.push(Provider { namespace: Some(ns.to_string()), ..base(name, keys.clone(), what.clone(), r.span()) });
            }
        }
    } else if r.is(CERT_MANAGER_GROUP, "Certificate") {
        if let Some(node) = r.node.at(&["spec", "secretName"]).filter(|n| n.as_text().is_some()) {
            let name = node.as_text().unwrap();
            out.push(base(name, Some(certificate_keys(r)), format!("Certificate `{}`", r.name()), node.span));
        }
    } else if r.is(GRAFANA_GROUP, "GrafanaServiceAccount") {
        // grafana-operator writes each token into `tokens[].secretName` (else `<sa>-<token>`).
        for token in r.node.at(&["spec", "tokens"]).into_iter().flat_map(|t| t.items()) {
            if let Some(name) = token.str_at(&["secretName"]) {
                out.push(base(name, None, format!("GrafanaServiceAccount `{}`", r.name()), r.span()));
            }
        }
    } else if let Some((_, _, paths)) = SECRET_OPERATORS.iter().find(|(g, k, _)| r.is(g, k)) {
        // A secret operator's object: the Secret it writes is named at the first of `paths`
        // that is set, with keys drlint cannot know.
        let mut names: Vec<(&str, Span)> = Vec::new();
        for p in paths.iter() {
            match p.split_once("[]") {
                // `list[].field`: one Secret per item.
                Some((list, field)) => names.extend(
                    r.node.at(&split(list)).into_iter().flat_map(|l| l.items()).filter_map(|i| i.at(&split(field))).filter_map(|n| n.as_text().map(|t| (t, n.span))),
                ),
                None if p.is_empty() => names.push((r.name(), r.span())),
                None => names.extend(r.node.at(&split(p)).and_then(|n| n.as_text().map(|t| (t, n.span)))),
            }
            if !names.is_empty() {
                break;
            }
        }
        let what = format!("{} `{}`", r.kind(), r.name());
        for (name, span) in names.into_iter().filter(|(n, _)| !n.is_empty()) {
            out.push(base(name, None, what.clone(), span));
        }
    } else if r.is(CNPG_GROUP, "Cluster") {
        for (name, keys) in cnpg_generated(r) {
            out.push(Provider { generated: true, ..base(&name, Some(keys.iter().map(|k| k.to_string()).collect()), format!("Cluster `{}`", r.name()), r.span()) });
        }
    }
    out
}

/// The Secret an ExternalSecret writes: `spec.target.name` (else its own name), and its keys:
/// the template's `data` keys when it has a template, else `data[].secretKey`; unknown with
/// `dataFrom` or `templateFrom`.
fn external_secret_target<'a>(own_name: &'a str, spec: &'a Node) -> (&'a str, Option<BTreeSet<String>>) {
    let name = spec.str_at(&["target", "name"]).filter(|s| !s.is_empty()).unwrap_or(own_name);
    let template = spec.at(&["target", "template"]).filter(|t| t.is_map());
    let has_data_from = spec.get("dataFrom").is_some_and(|d| d.items().next().is_some());
    let template_from = template.and_then(|t| t.get("templateFrom")).is_some_and(|d| d.items().next().is_some());
    if has_data_from || template_from {
        return (name, None);
    }
    let data_keys = spec.get("data").into_iter().flat_map(|d| d.items()).filter_map(|i| i.str_at(&["secretKey"])).map(str::to_string);
    let keys = match template.and_then(|t| t.get("data")).filter(|d| d.is_map()) {
        // Replace (the default) keeps only the template's keys; Merge adds them to the data keys.
        Some(tdata) if template.and_then(|t| t.str_at(&["mergePolicy"])) != Some("Merge") => keys_of(Some(tdata)).collect(),
        Some(tdata) => keys_of(Some(tdata)).chain(data_keys).collect(),
        None => data_keys.collect(),
    };
    (name, Some(keys))
}

/// Keys cert-manager writes: `tls.crt`, `tls.key`, `ca.crt`, plus the additional output formats
/// and keystores the Certificate asks for.
fn certificate_keys(r: &Resource) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = ["tls.crt", "tls.key", "ca.crt"].into_iter().map(str::to_string).collect();
    for f in r.node.at(&["spec", "additionalOutputFormats"]).into_iter().flat_map(|f| f.items()) {
        match f.str_at(&["type"]) {
            Some("CombinedPEM") => keys.insert("tls-combined.pem".into()),
            Some("DER") => keys.insert("key.der".into()),
            _ => false,
        };
    }
    let stores = r.node.at(&["spec", "keystores"]);
    if stores.and_then(|s| s.get("jks")).is_some() {
        keys.extend(["keystore.jks".to_string(), "truststore.jks".to_string()]);
    }
    if stores.and_then(|s| s.get("pkcs12")).is_some() {
        keys.extend(["keystore.p12".to_string(), "truststore.p12".to_string()]);
    }
    keys
}

/// Keys of the credential Secrets CNPG generates (`specs.CreateSecret`).
pub const CNPG_CREDENTIAL_KEYS: &[&str] =
    &["dbname", "fqdn-jdbc-uri", "fqdn-uri", "host", "jdbc-uri", "password", "pgpass", "port", "uri", "user", "username"];

/// The Secrets CNPG creates for a Cluster, with their keys: `<name>-app` (unless the bootstrap
/// names its own secret, and not for replica clusters bootstrapped by recovery or pg_basebackup),
/// `<name>-superuser` (only with `enableSuperuserAccess: true` and no `superuserSecret`), and the
/// certificates `<name>-ca`, `<name>-server`, `<name>-replication` unless user-provided.
pub fn cnpg_generated(r: &Resource) -> Vec<(String, &'static [&'static str])> {
    let name = r.name();
    let spec = r.spec();
    let at = |path: &[&str]| spec.and_then(|s| s.at(path));
    let mut out = Vec::new();
    let bootstrap = at(&["bootstrap"]);
    let method = ["initdb", "recovery", "pg_basebackup"].into_iter().find(|m| bootstrap.and_then(|b| b.get(m)).is_some());
    let app = match method {
        // No bootstrap section means initdb with the defaults.
        None => true,
        Some(m) => {
            let own_secret = at(&["bootstrap", m, "secret", "name"]).and_then(Node::as_text).is_some_and(|s| !s.is_empty());
            !own_secret && (m == "initdb" || !Cluster(r).is_replica())
        }
    };
    if app {
        out.push((format!("{name}-app"), CNPG_CREDENTIAL_KEYS));
    }
    let superuser = at(&["enableSuperuserAccess"]).and_then(Node::as_bool) == Some(true);
    let own_superuser = at(&["superuserSecret", "name"]).and_then(Node::as_text).is_some_and(|s| !s.is_empty());
    if superuser && !own_superuser {
        out.push((format!("{name}-superuser"), CNPG_CREDENTIAL_KEYS));
    }
    let certs = |f: &str| at(&["certificates", f]).and_then(Node::as_text).is_some_and(|s| !s.is_empty());
    if !certs("serverCASecret") || !certs("clientCASecret") {
        out.push((format!("{name}-ca"), &["ca.crt", "ca.key"][..]));
    }
    if !certs("serverTLSSecret") {
        out.push((format!("{name}-server"), &["tls.crt", "tls.key"][..]));
    }
    if !certs("replicationTLSSecret") {
        out.push((format!("{name}-replication"), &["tls.crt", "tls.key"][..]));
    }
    out
}

/// Every provider in a lint run, by Secret name, for lookups from a reference.
#[derive(Clone)]
pub struct Providers {
    by_name: BTreeMap<String, Vec<Provider>>,
    /// Providers whose name holds a substitution variable (`${APP}-backup`), as patterns that
    /// match any value of the variable.
    templated: Vec<(regex::Regex, Provider)>,
}

/// `${APP}-backup` -> `^.+-backup$`.
fn name_pattern(name: &str) -> Option<regex::Regex> {
    let var = regex::Regex::new(r"\$\{[^}]*\}|\{\{.*?\}\}").ok()?;
    let mut pattern = String::from("^");
    let mut last = 0;
    for m in var.find_iter(name) {
        pattern.push_str(&regex::escape(&name[last..m.start()]));
        pattern.push_str(".+");
        last = m.end();
    }
    pattern.push_str(&regex::escape(&name[last..]));
    pattern.push('$');
    regex::Regex::new(&pattern).ok()
}

impl Providers {
    pub fn new(index: &Index, declared: &[ProvidedSecret]) -> Providers {
        let mut by_name: BTreeMap<String, Vec<Provider>> = BTreeMap::new();
        let mut templated = Vec::new();
        for (i, r) in index.resources.iter().enumerate() {
            for mut p in providers(r) {
                p.resource = Some(i);
                if is_templated(&p.name) {
                    if let Some(re) = name_pattern(&p.name) {
                        templated.push((re, p));
                    }
                    continue;
                }
                by_name.entry(p.name.clone()).or_default().push(p);
            }
        }
        for d in declared {
            by_name.entry(d.name.clone()).or_default().push(Provider {
                name: d.name.clone(),
                cluster: None,
                namespace: d.namespace.clone(),
                keys: d.keys.as_ref().map(|k| k.iter().cloned().collect()),
                what: "`provided-secrets` in .drlint.yaml".into(),
                span: None,
                generated: false,
                merges: false,
                resource: None,
            });
        }
        Providers { by_name, templated }
    }

    /// Providers of Secret `name` visible from `near`: same cluster (declared ones: any), and the
    /// same namespace unless either side's namespace is unknown.
    pub fn visible_from<'a>(&'a self, near: &Resource, name: &str) -> Vec<&'a Provider> {
        let ns = declared_namespace(near);
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .chain(self.templated.iter().filter(|(re, _)| re.is_match(name)).map(|(_, p)| p))
            .filter(|p| p.span.is_none() || p.cluster == near.cluster)
            .filter(|p| match (&p.namespace, ns) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .collect()
    }

    /// Providers of Secret `name` anywhere (for "it exists in namespace x" hints).
    pub fn named(&self, name: &str) -> &[Provider] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn all(&self) -> impl Iterator<Item = &Provider> {
        self.by_name.values().flatten()
    }
}

/// The keys several providers hold together; `None` when one of them has unknown keys.
pub fn known_keys(providers: &[&Provider]) -> Option<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    for p in providers {
        keys.extend(p.keys.as_ref()?.iter().cloned());
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{yaml, FileId};

    fn resource(text: &str) -> Resource {
        let parsed = yaml::parse(FileId(0), text);
        Resource::new(parsed.documents[0].root.clone().unwrap(), FileId(0), 0)
    }

    #[test]
    fn pod_references_cover_env_envfrom_volumes_and_pull_secrets() {
        let r = resource(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: regcred}]\n      containers:\n        - name: app\n          env:\n            - name: A\n              valueFrom: {secretKeyRef: {name: s1, key: k1}}\n            - name: B\n              valueFrom: {secretKeyRef: {name: s2, key: k2, optional: true}}\n          envFrom: [{secretRef: {name: s3}}]\n      volumes:\n        - name: v\n          secret: {secretName: s4, items: [{key: k4, path: p}]}\n        - name: p\n          projected: {sources: [{secret: {name: s5}}]}\n",
        );
        let refs = references(&r);
        let names: Vec<(&str, Option<&str>, bool)> = refs.iter().map(|r| (r.name, r.key.map(|k| k.0), r.optional)).collect();
        assert_eq!(
            names,
            vec![("s1", Some("k1"), false), ("s2", Some("k2"), true), ("s3", None, false), ("s4", Some("k4"), false), ("s5", None, false), ("regcred", None, false)]
        );
    }

    #[test]
    fn cnpg_app_secret_follows_the_bootstrap() {
        let plain = resource("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec: {instances: 1}\n");
        let names: Vec<String> = cnpg_generated(&plain).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["pg-app", "pg-ca", "pg-server", "pg-replication"]);
        let own = resource("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec: {bootstrap: {initdb: {secret: {name: mine}}}, enableSuperuserAccess: true}\n");
        let names: Vec<String> = cnpg_generated(&own).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["pg-superuser", "pg-ca", "pg-server", "pg-replication"]);
    }

    #[test]
    fn external_secret_keys() {
        let es = resource("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: e}\nspec:\n  target: {name: t}\n  data: [{secretKey: a, remoteRef: {key: x}}]\n");
        let p = providers(&es);
        assert_eq!(p[0].name, "t");
        assert_eq!(p[0].keys.as_ref().unwrap().iter().collect::<Vec<_>>(), ["a"]);
        let from = resource("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: e}\nspec:\n  dataFrom: [{extract: {key: x}}]\n");
        assert!(providers(&from)[0].keys.is_none());
        let tmpl = resource("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: e}\nspec:\n  target: {template: {data: {url: 'x'}}}\n  data: [{secretKey: a, remoteRef: {key: x}}]\n");
        assert_eq!(providers(&tmpl)[0].keys.as_ref().unwrap().iter().collect::<Vec<_>>(), ["url"]);
    }
}
