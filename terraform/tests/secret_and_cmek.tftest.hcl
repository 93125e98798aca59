# Plan-only checks of the optional redaction key secret, CMEK and retention lock.
# See defaults.tftest.hcl for why only plan-time values are asserted.

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }

  mock_data "google_storage_project_service_account" {
    defaults = {
      email_address = "service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
    }
  }
}

# google-beta only creates the service agents; time_sleep must not really sleep in a test.
mock_provider "google-beta" {}

mock_provider "time" {}

variables {
  project_id              = "rsf-test-project"
  region                  = "europe-west1"
  image                   = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function:1.0.0"
  bucket_name             = "rsf-test-evidence"
  bucket_location         = "EU"
  retention_period_days   = 30
  redaction_key_secret_id = "rsf-redaction-hmac"
  kms_key_name            = "projects/rsf-kms/locations/europe/keyRings/rsf/cryptoKeys/evidence"
  topic_kms_key_name      = "projects/rsf-kms/locations/europe-west1/keyRings/rsf/cryptoKeys/findings"
}

run "redaction_key_comes_from_secret_manager" {
  command = plan

  assert {
    condition = (
      one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value_source[0].secret_key_ref[0].secret if e.name == "REDACTION_HMAC_KEY"]) == "rsf-redaction-hmac"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value_source[0].secret_key_ref[0].version if e.name == "REDACTION_HMAC_KEY"]) == "latest"
    )
    error_message = "REDACTION_HMAC_KEY must reference the secret's latest version."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "REDACTION_HMAC_KEY"]) == null
    error_message = "REDACTION_HMAC_KEY must never be a literal value."
  }

  assert {
    condition = (
      length(google_secret_manager_secret_iam_member.function_redaction_key) == 1
      && google_secret_manager_secret_iam_member.function_redaction_key[0].secret_id == "rsf-redaction-hmac"
      && google_secret_manager_secret_iam_member.function_redaction_key[0].role == "roles/secretmanager.secretAccessor"
      && google_secret_manager_secret_iam_member.function_redaction_key[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    )
    error_message = "The function SA must be secretAccessor on that one secret."
  }

  assert {
    condition = toset(flatten([
      [for g in google_project_iam_member.function : g.role],
      [for g in google_project_iam_member.function_findings_viewer : g.role],
      [for g in google_organization_iam_member.function_findings_viewer : g.role],
      [for g in google_storage_bucket_iam_member.function : g.role],
      [for g in google_secret_manager_secret_iam_member.function_redaction_key : g.role],
      ])) == toset([
      "roles/securitycenter.findingsViewer",
      "roles/run.viewer",
      "roles/logging.viewer",
      "roles/storage.objectCreator",
      "roles/storage.objectViewer",
      "roles/secretmanager.secretAccessor",
    ])
    error_message = "With a redaction key the function SA gains secretAccessor and nothing else."
  }
}

run "bucket_uses_cmek" {
  command = plan

  assert {
    condition     = google_storage_bucket.evidence.encryption[0].default_kms_key_name == "projects/rsf-kms/locations/europe/keyRings/rsf/cryptoKeys/evidence"
    error_message = "The bucket must default to the given KMS key."
  }

  assert {
    condition = (
      google_kms_crypto_key_iam_member.gcs_cmek[0].crypto_key_id == "projects/rsf-kms/locations/europe/keyRings/rsf/cryptoKeys/evidence"
      && google_kms_crypto_key_iam_member.gcs_cmek[0].role == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
      && google_kms_crypto_key_iam_member.gcs_cmek[0].member == "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com"
    )
    error_message = "The Cloud Storage service agent must be encrypter/decrypter on the key."
  }
}

run "retention_lock_is_opt_in" {
  command = plan

  variables {
    lock_retention = true
  }

  assert {
    condition     = google_storage_bucket.evidence.retention_policy[0].is_locked == true
    error_message = "lock_retention = true must lock the retention policy."
  }
}

run "lifecycle_rule_when_expiry_set" {
  command = plan

  # action and condition are sets in the provider schema, hence one() not [0].

  variables {
    object_expiry_days = 400
  }

  assert {
    condition = (
      length(google_storage_bucket.evidence.lifecycle_rule) == 1
      && one(google_storage_bucket.evidence.lifecycle_rule[0].action).type == "Delete"
      && one(google_storage_bucket.evidence.lifecycle_rule[0].condition).age == 400
    )
    error_message = "object_expiry_days must add a Delete rule at that age."
  }
}

run "topic_uses_cmek" {
  command = plan

  assert {
    condition     = google_pubsub_topic.findings.kms_key_name == "projects/rsf-kms/locations/europe-west1/keyRings/rsf/cryptoKeys/findings"
    error_message = "The findings topic must use topic_kms_key_name."
  }

  assert {
    condition = (
      google_kms_crypto_key_iam_member.pubsub_cmek[0].crypto_key_id == "projects/rsf-kms/locations/europe-west1/keyRings/rsf/cryptoKeys/findings"
      && google_kms_crypto_key_iam_member.pubsub_cmek[0].role == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
      && google_kms_crypto_key_iam_member.pubsub_cmek[0].member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "The Pub/Sub service agent must be encrypter/decrypter on the topic key."
  }
}

run "dead_letter_topic_uses_the_same_key" {
  command = plan

  variables {
    delivery_mode = "push"
  }

  assert {
    condition     = google_pubsub_topic.dead_letter[0].kms_key_name == "projects/rsf-kms/locations/europe-west1/keyRings/rsf/cryptoKeys/findings"
    error_message = "Dead letters must be encrypted with the topic key too."
  }
}
