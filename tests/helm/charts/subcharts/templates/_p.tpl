{{- define "shared.name" }}from-parent{{ end }}
