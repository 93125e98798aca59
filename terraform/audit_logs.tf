# Data Access audit logs are off by default for Cloud Storage: without them a
# read of evidence (objects.get, objects.list) leaves no trail. DATA_READ makes
# every read of every bucket in project_id a log entry naming the principal; the
# function's own index reads are among them (small: one list and a few gets per
# delivery). The README ("Who read a bundle") has the auditor's query.
#
# This resource is authoritative for storage.googleapis.com's audit config in the
# project: it replaces exemptions or log types set elsewhere for that service.
resource "google_project_iam_audit_config" "storage_data_read" {
  count = var.storage_data_read_audit_logs ? 1 : 0

  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
}
