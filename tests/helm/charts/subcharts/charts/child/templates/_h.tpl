{{- define "child.helper" }}child-helper{{ end }}
{{- define "shared.name" }}from-child{{ end }}
