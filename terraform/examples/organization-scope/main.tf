# Organization scope: findings of every project in the organization reach the function; the projects whose
# services it should read evidence from are listed in additional_evidence_project_ids. Eventarc delivery.
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

  organization_id                 = var.organization_id
  additional_evidence_project_ids = var.additional_evidence_project_ids
}
