# APIs are managed here (toggle: manage_project_services). Service Usage and
# Cloud Resource Manager must already be on: Terraform needs them to enable the
# rest and to read the project (see README.md).
locals {
  project_services = toset(concat(
    [
      "cloudresourcemanager.googleapis.com",
      "eventarc.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "pubsub.googleapis.com",
      "run.googleapis.com",
      "securitycenter.googleapis.com",
      "storage.googleapis.com",
    ],
    var.redaction_key_secret_id == null ? [] : ["secretmanager.googleapis.com"],
    var.kms_key_name == null && var.topic_kms_key_name == null && !var.custody_enabled ? [] : ["cloudkms.googleapis.com"],
    var.completion_tasks_enabled ? ["cloudtasks.googleapis.com"] : [],
  ))
}

resource "google_project_service" "enabled" {
  for_each = var.manage_project_services ? local.project_services : toset([])

  project = var.project_id
  service = each.value

  # Other workloads in the project may rely on these APIs; tearing this
  # deployment down must not switch them off.
  disable_on_destroy         = false
  disable_dependent_services = false
}

# The project number names the service agents (service-NUMBER@gcp-sa-pubsub..., @gcp-sa-eventarc...).
data "google_project" "this" {
  project_id = var.project_id
}
