variable "project_id" {
  description = "Project that hosts the function, bucket, topic and alerts."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service and the delivery, e.g. \"europe-west1\"."
  type        = string
}

variable "image" {
  description = "Image built from the repository's Dockerfile, pinned by digest: REGION-docker.pkg.dev/PROJECT/REPO/reverse-shell-function@sha256:..."
  type        = string
}

variable "bucket_name" {
  description = "Evidence bucket to create (globally unique)."
  type        = string
}

variable "bucket_location" {
  description = "Bucket location, e.g. \"EU\" or \"europe-west1\"."
  type        = string
}

variable "retention_period_days" {
  description = "Retention policy of the bucket in days (evidence cannot be deleted or replaced before)."
  type        = number
}

variable "notification_channels" {
  description = "Monitoring notification channels for the alerts (projects/P/notificationChannels/ID)."
  type        = list(string)
  default     = []
}

variable "scc_location" {
  description = "Security Command Center location: \"global\", or the data-residency location SCC was activated with (e.g. \"eu\")."
  type        = string
  default     = "global"
}
