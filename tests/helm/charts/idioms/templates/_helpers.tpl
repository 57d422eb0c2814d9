{{- define "idioms.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "common.tplvalues.render" -}}
{{- if typeIs "string" .value }}
{{- tpl .value .context }}
{{- else }}
{{- tpl (.value | toYaml) .context }}
{{- end }}
{{- end -}}
{{- define "idioms.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "idioms.image" -}}
{{- $registry := .imageRoot.registry -}}
{{- if .global }}{{- if .global.imageRegistry }}{{- $registry = .global.imageRegistry -}}{{- end -}}{{- end -}}
{{- $tag := .imageRoot.tag | default .chart.AppVersion | toString -}}
{{- printf "%s/%s:%s" $registry .imageRoot.repository $tag -}}
{{- end -}}
