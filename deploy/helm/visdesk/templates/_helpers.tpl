{{/* Names and labels. */}}
{{- define "visdesk.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "visdesk.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "visdesk.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "visdesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "ctx" $ "component" "api"). */}}
{{- define "visdesk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "visdesk.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "visdesk.secretName" -}}
{{- default (include "visdesk.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* VISDESK_ENGINE: the vLLM tier, an external OpenAI-compatible URL, or a local engine. */}}
{{- define "visdesk.engine" -}}
{{- if eq .Values.engine "remote" -}}
{{- if .Values.vllm.enabled -}}
{{- printf "remote:http://%s-vllm:%v/v1" (include "visdesk.fullname" .) .Values.vllm.port -}}
{{- else -}}
{{- printf "remote:%s" (required "externalModel.baseUrl is required when engine=remote and vllm.enabled=false" .Values.externalModel.baseUrl) -}}
{{- end -}}
{{- else -}}
{{- .Values.engine -}}
{{- end -}}
{{- end -}}

{{- define "visdesk.cacheUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis:6379/0" (include "visdesk.fullname" .) -}}
{{- else if .Values.externalRedis.url -}}
{{- .Values.externalRedis.url -}}
{{- else -}}
memory://
{{- end -}}
{{- end -}}
