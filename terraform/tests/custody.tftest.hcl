# Plan-only checks of custody.tf: the signing key, its IAM and the function's settings.

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }
}

# Every provider the module uses is mocked: an unmocked one is configured for real (credentials, network).
# google-beta only creates the service agents; time_sleep must not really sleep in a test.
mock_provider "google-beta" {}

mock_provider "time" {}

variables {
  project_id            = "rsf-test-project"
  region                = "europe-west1"
  image                 = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function:1.0.0"
  bucket_name           = "rsf-test-evidence"
  bucket_location       = "EU"
  retention_period_days = 30
}

run "custody_is_on_by_default_with_an_hsm_p256_signing_key" {
  command = plan

  assert {
    condition     = google_kms_crypto_key.custody[0].purpose == "ASYMMETRIC_SIGN"
    error_message = "The custody key must be an ASYMMETRIC_SIGN key."
  }

  assert {
    condition     = google_kms_crypto_key.custody[0].version_template[0].algorithm == "EC_SIGN_P256_SHA256"
    error_message = "The custody key must sign with EC_SIGN_P256_SHA256, which openssl verifies."
  }

  assert {
    condition     = google_kms_crypto_key.custody[0].version_template[0].protection_level == "HSM"
    error_message = "The custody key must be HSM-protected by default."
  }

  assert {
    condition     = google_kms_key_ring.custody[0].location == "europe-west1"
    error_message = "The key ring must default to the deployment region."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "KMS_KEY_VERSION"]) == "projects/rsf-test-project/locations/europe-west1/keyRings/reverse-shell-evidence-custody/cryptoKeys/manifest-signing/cryptoKeyVersions/1"
    error_message = "The function must get KMS_KEY_VERSION, the full key version name."
  }

  assert {
    condition     = length([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e if e.name == "TSA_URL"]) == 0
    error_message = "No TSA is configured by default."
  }

  assert {
    condition     = google_kms_crypto_key_iam_member.custody_signer[0].role == "roles/cloudkms.signer" && google_kms_crypto_key_iam_member.custody_signer[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    error_message = "Only the function's service account may sign (roles/cloudkms.signer: it never verifies with KMS), on this key only."
  }

  assert {
    condition     = length(google_kms_crypto_key_iam_member.custody_public_key_viewer) == 0
    error_message = "No auditor is granted anything unless listed."
  }

  assert {
    condition     = google_storage_bucket_iam_member.function_bucket_reader.role == "roles/storage.legacyBucketReader"
    error_message = "Reading the bucket's protection at sealing needs storage.buckets.get, from the smallest role that has it."
  }

  assert {
    condition     = strcontains(output.custody_export_public_key_command, "gcloud kms keys versions get-public-key 1 --key=manifest-signing")
    error_message = "The output must give the command that exports the public key."
  }
}

run "auditors_and_tsa" {
  command = plan

  variables {
    custody_auditors         = ["group:auditors@example.com"]
    custody_tsa_url          = "https://tsa.example.com/tsr"
    custody_protection_level = "SOFTWARE"
    custody_key_version      = 2
  }

  assert {
    condition     = google_kms_crypto_key_iam_member.custody_public_key_viewer["group:auditors@example.com"].role == "roles/cloudkms.publicKeyViewer"
    error_message = "Listed auditors get publicKeyViewer on the key."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "TSA_URL"]) == "https://tsa.example.com/tsr"
    error_message = "The TSA URL must reach the function as TSA_URL."
  }

  assert {
    condition     = endswith(one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "KMS_KEY_VERSION"]), "/cryptoKeyVersions/2")
    error_message = "A rotation changes the version the function signs with."
  }
}

run "custody_off_creates_no_key_and_sets_nothing" {
  command = plan

  variables {
    custody_enabled = false
    custody_tsa_url = "https://tsa.example.com/tsr"
  }

  assert {
    condition     = length(google_kms_crypto_key.custody) == 0 && length(google_kms_key_ring.custody) == 0 && length(google_kms_crypto_key_iam_member.custody_signer) == 0
    error_message = "With custody off there is no key ring, key or grant."
  }

  assert {
    condition     = length([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e if contains(["KMS_KEY_VERSION", "TSA_URL"], e.name)]) == 0
    error_message = "With custody off the function gets no custody settings."
  }

  assert {
    condition     = output.custody_key_version == null
    error_message = "No key version output when custody is off."
  }
}

run "bad_protection_level_is_refused" {
  command = plan

  variables {
    custody_protection_level = "EXTERNAL"
  }

  expect_failures = [var.custody_protection_level]
}
