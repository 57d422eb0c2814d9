//! What a Secret's value is, judged without ever showing it: a credential (a key named like one,
//! a URL or DSN with a password, a PEM private key, a configuration file that sets a password or
//! token, a long high-entropy string), a placeholder that stands for "fill me in", or other data
//! (configuration, certificates, public parameters, a time zone).
//!
//! The judgement is deliberately one-sided: when in doubt a value is a credential, because
//! calling a leaked credential "configuration" is the expensive mistake. Placeholders and plain
//! configuration leak nothing; they are reported as notes.

/// What one value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueClass {
    /// Empty, `CHANGE_ME`, `<password>`, `${VAR}`, `your-token-here`, ...
    Placeholder,
    /// A credential, with the reason (for the message; never the value).
    Credential(&'static str),
    /// Anything else: configuration, certificates, public parameters.
    Other,
}

/// Classifies the value `text` stored under `key` (a `data` value already base64-decoded;
/// `binary` when it did not decode to UTF-8 text).
pub fn classify(key: &str, text: &str, binary: bool) -> ValueClass {
    if binary {
        // Keystores, keytabs, encrypted blobs: nothing in Git should hold them in clear.
        return ValueClass::Credential("binary data");
    }
    if is_placeholder(text) {
        return ValueClass::Placeholder;
    }
    if has_private_key(text) {
        return ValueClass::Credential("a PEM private key");
    }
    if is_credential_name(key, false) && !is_plain_setting(text) && !text.contains("-----BEGIN ") {
        return ValueClass::Credential("named like a credential");
    }
    if has_url_password(text) {
        return ValueClass::Credential("a URL with a password");
    }
    if has_embedded_credential(text) {
        return ValueClass::Credential("configuration that sets a credential");
    }
    if is_high_entropy(text) {
        return ValueClass::Credential("a long random-looking string");
    }
    ValueClass::Other
}

/// The words of a key: `ACCESS_KEY_ID` -> access, key, id; `clientSecret` -> client, secret.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Substrings that name a credential wherever they appear in a key (`apikey`, `DB_PASSWORD`).
const CREDENTIAL_PARTS: &[&str] = &[
    "password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "privatekey", "secretkey", "authkey", "encryptionkey", "signingkey", "masterkey", "sessionkey",
];
/// Whole words that name a credential (`tls.key`, `PASS`, `private`).
const CREDENTIAL_WORDS: &[&str] = &["pass", "pwd", "key", "keys", "private", "creds", "cred", "psk", "dsn"];
/// Words that make a credential-looking key name something else: a reference to a credential
/// (`passwordFile`, `secretName`, `tokenPath`) or a setting about it (`PASSWORD_MIN_LENGTH`).
const NOT_CREDENTIAL_WORDS: &[&str] = &[
    "public", "pub", "name", "names", "ref", "file", "path", "env", "type", "length", "policy", "enabled", "expiry",
    "expiration", "ttl", "url", "endpoint", "id", "ids", "namespace", "kind", "mode", "format",
];

/// Extensions of text files stored in a Secret, whose content decides what they are.
const FILE_EXTENSIONS: &[&str] = &[
    "sql", "yaml", "yml", "json", "conf", "cfg", "ini", "toml", "css", "js", "sh", "properties", "xml", "txt", "env",
    "md", "html", "tpl", "lua", "py", "hcl", "cnf",
];

/// A key that names a credential. `embedded` (a key inside a configuration file) drops the
/// short words (`key`, `private`, `pass`) that configuration formats use for other things.
pub fn is_credential_name(key: &str, embedded: bool) -> bool {
    let w = words(key);
    if w.is_empty() {
        return false;
    }
    let last = w.last().map(String::as_str).unwrap_or("");
    // `ACCESS_KEY_ID` is half of a key pair; `SECRET_NAME` refers to one.
    if NOT_CREDENTIAL_WORDS.contains(&last) && !(last == "id" && w.iter().any(|x| x == "key" || x == "access")) {
        return false;
    }
    if w.iter().any(|x| x == "public" || x == "pub") {
        return false;
    }
    // A file name (`secret.sql`, `credentials.json`): what it holds is judged by its content.
    if w.len() > 1 && FILE_EXTENSIONS.contains(&last) {
        return false;
    }
    let joined_all: String = w.concat();
    // An S3 access key ID names the key; the secret access key is the secret.
    if joined_all.contains("accesskey") && !joined_all.contains("secret") {
        return false;
    }
    if CREDENTIAL_PARTS.iter().any(|p| joined_all.contains(p)) {
        return true;
    }
    !embedded && w.iter().any(|x| CREDENTIAL_WORDS.contains(&x.as_str()))
}

/// A value that is a setting, not a secret, even under a credential-looking key: a number, a
/// boolean.
fn is_plain_setting(v: &str) -> bool {
    let t = v.trim();
    t.parse::<f64>().is_ok() || matches!(t.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off")
}

/// A PEM private key (`-----BEGIN PRIVATE KEY-----`, `RSA`, `EC`, `OPENSSH`, `ENCRYPTED`, PGP):
/// certificates, public keys and DH parameters are public.
pub fn has_private_key(v: &str) -> bool {
    v.match_indices("-----BEGIN ").any(|(i, _)| {
        let rest = &v[i + 11..];
        let label = rest.split("-----").next().unwrap_or("");
        label.contains("PRIVATE KEY")
    })
}

/// `scheme://user:password@host` or `user:password@host` in a DSN, with a password that is not a
/// placeholder.
pub fn has_url_password(v: &str) -> bool {
    for (i, _) in v.match_indices("://") {
        let rest = &v[i + 3..];
        let authority = rest.split(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'').next().unwrap_or("");
        let Some(at) = authority.rfind('@') else { continue };
        let Some((_, password)) = authority[..at].split_once(':') else { continue };
        if !password.is_empty() && !is_placeholder(password) {
            return true;
        }
    }
    false
}

/// A configuration file (YAML, JSON, INI, env, TOML) that sets a credential: a line
/// `password: x`, `"secretKey": "x"`, `token = x` whose value is not empty, a placeholder or a
/// reference.
pub fn has_embedded_credential(v: &str) -> bool {
    // JSON on one line: split at commas and braces too.
    for piece in v.split(['\n', ',', '{', '}']) {
        let piece = piece.trim().trim_start_matches("- ").trim_start_matches("export ");
        let Some((name, value)) = split_assignment(piece) else { continue };
        if !is_credential_name(name, true) {
            continue;
        }
        let value = value.trim().trim_matches(['"', '\'']).trim();
        if value.is_empty() || value.starts_with('{') || value.starts_with('[') || value == "|" || value == ">" {
            continue;
        }
        if is_placeholder(value) || is_plain_setting(value) || value.starts_with('/') || value.starts_with("$") {
            continue;
        }
        return true;
    }
    false
}

/// `name: value`, `name = value`, `"name": "value"`.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let idx = line.find([':', '='])?;
    let name = line[..idx].trim().trim_matches(['"', '\'']);
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name, &line[idx + 1..]))
}

/// One token of 20 or more characters that looks random: letters and digits mixed, high
/// Shannon entropy, not a UUID, a URL, a path or a host name.
pub fn is_high_entropy(v: &str) -> bool {
    let t = v.trim();
    if t.len() < 20 || t.contains(char::is_whitespace) || t.contains("://") {
        return false;
    }
    if !t.bytes().all(|c| c.is_ascii_alphanumeric() || b"+/=_-.~".contains(&c)) {
        return false;
    }
    // Paths and dotted names (`/var/lib/data`, `svc.cluster.local`) are not random.
    if t.starts_with('/') || t.matches('.').count() >= 2 {
        return false;
    }
    let is_uuid = t.len() == 36 && t.bytes().enumerate().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == b'-' } else { c.is_ascii_hexdigit() });
    if is_uuid {
        return false;
    }
    let letters = t.bytes().any(|c| c.is_ascii_alphabetic());
    let digits = t.bytes().any(|c| c.is_ascii_digit());
    if !(letters && digits) {
        return false;
    }
    let mut counts = [0usize; 256];
    for b in t.bytes() {
        counts[b as usize] += 1;
    }
    let n = t.len() as f64;
    let entropy: f64 = counts.iter().filter(|&&c| c > 0).map(|&c| {
        let p = c as f64 / n;
        -p * p.log2()
    }).sum();
    entropy >= 3.5
}

/// Values that stand for "fill me in".
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme", "changemeplease", "changethis", "replaceme", "replacethis", "placeholder", "fixme", "todo", "tbd",
    "redacted", "notset", "setme", "example", "dummy", "password", "secret", "none", "null", "nil", "undefined",
];

/// A value that stands for "fill me in": empty, `CHANGE_ME`, `REPLACE_ME`, `<password>`,
/// `${VAR}`, `{{ .x }}`, `xxxx`, `****`, `TODO`, `your-api-key-here`, `example`, or a value
/// naming the reserved example domain (`db.example.com`).
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty() {
        return true;
    }
    if (t.starts_with('<') && t.ends_with('>')) || t.contains("${") || (t.starts_with("{{") && t.ends_with("}}")) {
        return true;
    }
    let norm: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    if norm.len() >= 3 && norm.chars().all(|c| c == 'x') {
        return true;
    }
    if t.chars().all(|c| c == '*' || c == '.' || c == '-' || c == '#') {
        return true;
    }
    if PLACEHOLDER_WORDS.contains(&norm.as_str())
        || ["changeme", "replaceme", "yourpassword", "todo", "fixme"].iter().any(|p| norm.starts_with(p))
        || (norm.starts_with("your") && (norm.ends_with("here") || norm.len() <= 24))
        || norm.ends_with("goeshere")
    {
        return true;
    }
    // `example` as a word of its own (`example.com`, `my-example-token`), not inside a longer
    // word (`AKIAIOSFODNN7EXAMPLE` is a credential-shaped value and stays one).
    let words: Vec<String> = t.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect();
    if words.iter().any(|w| w == "example") && t.len() < 200 {
        return true;
    }
    // `TODO: set me`, `CHANGE_ME_LATER` with separators.
    words.first().is_some_and(|w| w == "todo" || w == "changeme" || w == "fixme")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(key: &str, v: &str) -> ValueClass {
        classify(key, v, false)
    }

    #[test]
    fn placeholders() {
        for p in [
            "", "CHANGE_ME", "changeme", "REPLACE_ME", "<your-password>", "${DB_PASSWORD}", "xxxx", "{{ .pw }}", "TODO",
            "your-api-key-here", "YOUR_TOKEN_HERE", "example", "postgres://u:p@db.example.com/x", "****",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["hunter2", "s3cr3t-Value", "postgres://u:p@h/db", "AKIAIOSFODNN7EXAMPLE", "Europe/Rome"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn credentials_by_name_url_pem_and_entropy() {
        assert_eq!(class("DB_PASSWORD", "hunter2"), ValueClass::Credential("named like a credential"));
        assert_eq!(class("apikey", "abc"), ValueClass::Credential("named like a credential"));
        assert_eq!(class("tls.key", "-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----"), ValueClass::Credential("a PEM private key"));
        assert_eq!(class("DATABASE_URL", "postgres://app:s3cret@db:5432/app"), ValueClass::Credential("a URL with a password"));
        assert_eq!(class("objstore.yml", "type: s3\nconfig:\n  bucket: b\n  access_key: AKIA1\n  secret_key: abc123\n"), ValueClass::Credential("configuration that sets a credential"));
        assert_eq!(class("config", r#"{"bearerToken":"eyJhbGciOi","tlsClientConfig":{"insecure":false}}"#), ValueClass::Credential("configuration that sets a credential"));
        assert_eq!(class("value", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz93kq"), ValueClass::Credential("a long random-looking string"));
    }

    #[test]
    fn other_data() {
        assert_eq!(class("TZ", "Europe/Rome"), ValueClass::Other);
        assert_eq!(class("dhparam.pem", "-----BEGIN DH PARAMETERS-----\nMIIBCAKCAQEA\n-----END DH PARAMETERS-----"), ValueClass::Other);
        assert_eq!(class("tls.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), ValueClass::Other);
        assert_eq!(class("config", r#"{"tlsClientConfig":{"insecure":false}}"#), ValueClass::Other);
        assert_eq!(class("prometheus.yml", "scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['n:9100']\n"), ValueClass::Other);
        assert_eq!(class("PASSWORD_MIN_LENGTH", "12"), ValueClass::Other);
        assert_eq!(class("secretName", "db-creds"), ValueClass::Other);
        assert_eq!(class("id", "123e4567-e89b-12d3-a456-426614174000"), ValueClass::Other);
        assert_eq!(class("username", "app"), ValueClass::Other);
        assert_eq!(class("secret.sql", "create table secrets (i integer);"), ValueClass::Other);
        assert_eq!(class("accesskey", "workflows"), ValueClass::Other);
        assert_eq!(class("secretkey", "abc"), ValueClass::Credential("named like a credential"));
    }
}
