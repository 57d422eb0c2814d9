//! Pod specs inside the built-in workload kinds, for rules that look at what pods mount or read.
//! Operators' own pod templates (CNPG's, Helm values) are not pod specs of the objects written.

use super::Resource;
use crate::source::yaml::Node;

/// Where each built-in workload kind keeps its pod spec: (group, kind, path to the pod spec).
const POD_SPEC_PATHS: &[(&str, &str, &[&str])] = &[
    ("", "Pod", &["spec"]),
    ("", "ReplicationController", &["spec", "template", "spec"]),
    ("", "PodTemplate", &["template", "spec"]),
    ("apps", "Deployment", &["spec", "template", "spec"]),
    ("apps", "StatefulSet", &["spec", "template", "spec"]),
    ("apps", "DaemonSet", &["spec", "template", "spec"]),
    ("apps", "ReplicaSet", &["spec", "template", "spec"]),
    ("batch", "Job", &["spec", "template", "spec"]),
    ("batch", "CronJob", &["spec", "jobTemplate", "spec", "template", "spec"]),
];

/// The pod spec of a built-in workload (`Pod`, `Deployment`, `StatefulSet`, `DaemonSet`,
/// `ReplicaSet`, `Job`, `CronJob`, `ReplicationController`, `PodTemplate`), when it is a mapping.
pub fn pod_spec(r: &Resource) -> Option<&Node> {
    let (_, _, path) = POD_SPEC_PATHS.iter().find(|(g, k, _)| r.is(g, k))?;
    r.node.at(path).filter(|n| n.is_map())
}

/// Every container of a pod spec: `initContainers`, `containers` and `ephemeralContainers`.
pub fn pod_containers(pod: &Node) -> impl Iterator<Item = &Node> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |k| pod.get(k).into_iter().flat_map(|c| c.items()))
        .filter(|c| c.is_map())
}

/// `volumes[]` of a pod spec.
pub fn pod_volumes(pod: &Node) -> impl Iterator<Item = &Node> {
    pod.get("volumes").into_iter().flat_map(|v| v.items()).filter(|v| v.is_map())
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
    fn finds_the_pod_spec_of_each_kind() {
        let cron = resource(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a}]\n          initContainers: [{name: b}]\n",
        );
        let pod = pod_spec(&cron).unwrap();
        assert_eq!(pod_containers(pod).count(), 2);
        let dep = resource("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n");
        assert!(pod_spec(&dep).is_some());
        let other = resource("apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {}}}\n");
        assert!(pod_spec(&other).is_none());
    }
}
