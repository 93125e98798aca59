# ---------------------------------------------------------------------------
# Chain of custody (issue 13): every bundle part's manifest is signed by a
# Cloud KMS key the function can use but never read, and optionally
# timestamped by an RFC 3161 TSA. Auditors verify offline with the exported
# public key (README "Custody model"). All of it behind var.custody_enabled.
# ---------------------------------------------------------------------------

locals {
  custody_location = coalesce(var.custody_kms_location, var.region)

  # Spelled out (not read from the computed .id) so plans and the plan-only
  # tests show the real name; the format is fixed by Cloud KMS.
  custody_crypto_key  = "projects/${var.project_id}/locations/${local.custody_location}/keyRings/${var.custody_key_ring_name}/cryptoKeys/${var.custody_key_name}"
  custody_key_version = "${local.custody_crypto_key}/cryptoKeyVersions/${var.custody_key_version}"

  custody_env = merge(
    var.custody_enabled ? { KMS_KEY_VERSION = local.custody_key_version } : {},
    var.custody_enabled && var.custody_tsa_url != null ? { TSA_URL = var.custody_tsa_url } : {},
  )
}

resource "google_kms_key_ring" "custody" {
  count = var.custody_enabled ? 1 : 0

  project  = var.project_id
  name     = var.custody_key_ring_name
  location = local.custody_location

  depends_on = [google_project_service.enabled]
}

# ASYMMETRIC_SIGN, EC_SIGN_P256_SHA256: signatures that `openssl dgst -sha256
# -verify` checks with the public key alone. HSM by default. A key that
# signed evidence must outlive the evidence: never destroyed by Terraform.
resource "google_kms_crypto_key" "custody" {
  count = var.custody_enabled ? 1 : 0

  name     = var.custody_key_name
  key_ring = google_kms_key_ring.custody[0].id
  purpose  = "ASYMMETRIC_SIGN"
  labels   = local.labels

  version_template {
    algorithm        = "EC_SIGN_P256_SHA256"
    protection_level = var.custody_protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

# The function signs with this one key only; no project-wide KMS role. roles/cloudkms.signer holds
# asymmetricSign (and useToSign), all the function does; it never verifies with KMS (verification is offline,
# with the public key), so not signerVerifier.
resource "google_kms_crypto_key_iam_member" "custody_signer" {
  count = var.custody_enabled ? 1 : 0

  crypto_key_id = google_kms_crypto_key.custody[0].id
  role          = "roles/cloudkms.signer"
  member        = local.function_sa_member
}

# Auditors may read the public key (getPublicKey), nothing else.
resource "google_kms_crypto_key_iam_member" "custody_public_key_viewer" {
  for_each = var.custody_enabled ? toset(var.custody_auditors) : toset([])

  crypto_key_id = google_kms_crypto_key.custody[0].id
  role          = "roles/cloudkms.publicKeyViewer"
  member        = each.value
}

# The manifest records the bucket's retention policy, default event-based
# hold, object retention and default KMS key as read at sealing: that needs
# storage.buckets.get. roles/storage.legacyBucketReader on this bucket is the
# smallest role with it (buckets.get and objects.list, which the function has
# already); it grants no object write, delete or bucket update.
resource "google_storage_bucket_iam_member" "function_bucket_reader" {
  bucket = google_storage_bucket.evidence.name
  role   = "roles/storage.legacyBucketReader"
  member = local.function_sa_member
}
