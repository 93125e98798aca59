# Project scope with a push subscription instead of Eventarc: retries and a dead-letter topic under this
# configuration's control, messages kept 7 days (see ../../README.md, "Eventarc or push").
module "reverse_shell_evidence" {
  source = "../.."

  project_id            = var.project_id
  region                = var.region
  image                 = var.image
  bucket_name           = var.bucket_name
  bucket_location       = var.bucket_location
  retention_period_days = var.retention_period_days
  notification_channels = var.notification_channels
  scc_location          = var.scc_location

  delivery_mode         = "push"
  max_delivery_attempts = var.max_delivery_attempts
}
