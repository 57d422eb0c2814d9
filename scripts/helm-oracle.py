#!/usr/bin/env python3
"""Render a chart with Helm itself (helm-python-sdk, offline) and print what `helm template`
prints: documents split, empty ones dropped, hooks after the others, sorted by Helm's install
order, each after `---` and `# Source:`.

usage: helm-oracle.py CHART_DIR [--release NAME] [--namespace NS] [-f VALUES]...
Exit 3 when the package is missing, 1 when Helm refuses the chart (message on stderr).
"""
import argparse, re, sys

INSTALL_ORDER = ["PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
    "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]
SEP = re.compile(r"(?:^|\s*\n)---\s*")


def head(doc):
    import yaml
    # Helm reads each document's head and refuses the chart when it is not YAML.
    d = yaml.safe_load(doc)
    if not isinstance(d, dict):
        return "", None
    ann = ((d.get("metadata") or {}).get("annotations") or {}) if isinstance(d.get("metadata"), dict) else {}
    return str(d.get("kind") or ""), (ann.get("helm.sh/hook") if isinstance(ann, dict) else None)


def rank(kind):
    return (0, INSTALL_ORDER.index(kind), "") if kind in INSTALL_ORDER else (1, 0, kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chart")
    ap.add_argument("--release", default="release-name")
    ap.add_argument("--namespace", default="default")
    ap.add_argument("-f", "--values", action="append", default=[])
    a = ap.parse_args()
    try:
        import helm_python
    except ImportError:
        print("helm-python-sdk is not installed", file=sys.stderr)
        return 3
    vals = {}
    for f in a.values:
        with open(f) as fh:
            vals = merge(vals, helm_python.values_from_yaml(fh.read()) or {})
    try:
        files = helm_python.Chart.load(a.chart).render(vals, name=a.release, namespace=a.namespace)
    except Exception as e:
        print(f"helm: {e}", file=sys.stderr)
        return 1
    generic, hooks = [], []
    for path in sorted(files):
        base = path.rsplit("/", 1)[-1]
        if base.startswith("_") or base == "NOTES.txt" or not files[path].strip():
            continue
        for d in SEP.split(files[path].strip()):
            d = d.strip()
            if not d:
                continue
            try:
                kind, hook = head(d)
            except Exception as e:
                print(f"helm: YAML parse error on {path}: {e}", file=sys.stderr)
                return 1
            (hooks if hook else generic).append((kind, path, d))
    out = []
    for kind, path, d in sorted(generic, key=lambda x: rank(x[0])) + sorted(hooks, key=lambda x: rank(x[0])):
        out.append(f"---\n# Source: {path}\n{d}\n")
    sys.stdout.write("".join(out))
    return 0


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


if __name__ == "__main__":
    sys.exit(main())
