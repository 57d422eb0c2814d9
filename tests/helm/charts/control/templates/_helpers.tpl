{{/* a comment */}}
{{- define "control.name" -}}
{{ .Chart.Name }}-{{ .Values.name }}
{{- end }}
{{- define "control.labels" }}
app: {{ include "control.name" . }}
version: {{ .Chart.Version | quote }}
{{- end -}}
