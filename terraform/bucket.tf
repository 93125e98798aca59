# Cloud Storage service agent of this project; only needed to grant it the CMEK key.
data "google_storage_project_service_account" "gcs" {
  count = var.kms_key_name == null ? 0 : 1

  project = var.project_id
}

# Without this grant the bucket cannot be created with a default KMS key.
resource "google_kms_crypto_key_iam_member" "gcs_cmek" {
  count = var.kms_key_name == null ? 0 : 1

  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${data.google_storage_project_service_account.gcs[0].email_address}"
}

resource "google_storage_bucket" "evidence" {
  project  = var.project_id
  name     = var.bucket_name
  location = var.bucket_location
  labels   = local.labels

  # Evidence must never become public: IAM only (no ACLs), and public grants are refused.
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # Terraform must never delete evidence; with a retention policy it could not anyway.
  force_destroy = false

  # Objects are written create-only, so there are no old versions to keep.
  versioning {
    enabled = false
  }

  retention_policy {
    # A number in provider 6.x, a string from 7.0 (larger periods); the string
    # converts to either, and 24855 days at most keeps it inside 6.x's range.
    retention_period = tostring(var.retention_period_days * 86400)
    # IRREVERSIBLE once applied with true - see the variable's description.
    is_locked = var.lock_retention
  }

  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_retention_days * 86400
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.object_expiry_days == null ? [] : [var.object_expiry_days]
    content {
      action {
        type = "Delete"
      }
      condition {
        age = lifecycle_rule.value
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.object_expiry_days == null || try(var.object_expiry_days >= var.retention_period_days, false)
      error_message = "object_expiry_days must not be shorter than retention_period_days: the retention policy would block the deletes."
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_kms_crypto_key_iam_member.gcs_cmek,
  ]
}
