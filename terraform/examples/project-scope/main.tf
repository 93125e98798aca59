# Project scope: the notification config and the findings grant cover project_id only, so only findings
# of services in this project reach the function. Eventarc delivery (the default).
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
}
