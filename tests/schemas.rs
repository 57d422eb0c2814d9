//! The JSON report and the config file agree with their published JSON Schemas.

mod common;

use common::*;

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(crate_root().join("schemas").join(name)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn json_report_matches_its_schema() {
    let validator = schema("report.schema.json");
    for dir in ["tests/data/repo", "examples", "fixtures"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_drlint"))
            .args(["check", "--format", "json", dir])
            .env("GIT_CEILING_DIRECTORIES", crate_root())
            .current_dir(crate_root())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&report).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{dir}: {errors:?}");
    }
}

#[test]
fn documented_config_matches_its_schema_and_loads() {
    let validator = schema("drlint-config.schema.json");
    let text = "fail-level: warning\nexclude:\n  - vendor\nrules:\n  cnpg-backup-retention-unset: error\n  cnpg-cluster-no-backup:\n    severity: warning\n    exclude: [\"apps/scratch/**\"]\n    options:\n      ignore-replica-clusters: true\n";
    let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), text);
    let value = parsed.documents[0].root.as_ref().unwrap().to_json();
    assert!(validator.is_valid(&value));
    drlint::settings::Settings::parse(text, std::path::Path::new(".drlint.yaml")).unwrap();
}

#[test]
fn coverage_section_matches_its_schema_and_loads() {
    let validator = schema("drlint-config.schema.json");
    let text = std::fs::read_to_string(crate_root().join("fixtures/pvc-backup-uncovered/good-declared/.drlint.yaml")).unwrap();
    let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), &text);
    let value = parsed.documents[0].root.as_ref().unwrap().to_json();
    let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    drlint::settings::Settings::parse(&text, std::path::Path::new(".drlint.yaml")).unwrap();
    // A `none` entry without a reason is refused by both.
    let bad = serde_json::json!({"coverage": {"none": [{"namespace": "media"}]}});
    assert!(!validator.is_valid(&bad));
}

/// Every config key drlint reads is in the schema (which forbids unknown keys), and every YAML
/// example in the README's Configuration section validates against the schema and loads. A new
/// key needs three things: its name in `settings::KEYS`, a property in the schema, an example in
/// the README.
#[test]
fn every_config_key_is_in_the_schema_and_every_documented_example_validates() {
    let validator = schema("drlint-config.schema.json");
    let text = std::fs::read_to_string(crate_root().join("schemas/drlint-config.schema.json")).unwrap();
    let schema_json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let props = schema_json["properties"].as_object().unwrap();
    for key in drlint::settings::KEYS {
        assert!(props.contains_key(*key), "config key `{key}` is missing from schemas/drlint-config.schema.json");
    }
    for key in props.keys() {
        assert!(drlint::settings::KEYS.contains(&key.as_str()), "the schema allows `{key}`, which drlint::settings::KEYS does not list");
    }
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let section = readme.split("\n## Configuration").nth(1).expect("README has a Configuration section");
    let section = section.split("\n## ").next().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for block in section.split("```yaml\n").skip(1) {
        let yaml = block.split("```").next().unwrap();
        let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), yaml);
        let value = parsed.documents[0].root.as_ref().unwrap().to_json();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "README example fails the schema: {errors:?}\n{yaml}");
        if let Err(e) = drlint::settings::Settings::parse(yaml, std::path::Path::new(".drlint.yaml")) {
            panic!("README example does not load: {e}\n{yaml}");
        }
        seen.extend(value.as_object().unwrap().keys().cloned());
    }
    for key in drlint::settings::KEYS {
        assert!(seen.contains(*key), "config key `{key}` has no example in the README's Configuration section");
    }
}
