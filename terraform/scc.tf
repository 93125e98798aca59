# SCC publishes one message per matching finding create/update to this topic.
resource "google_pubsub_topic" "findings" {
  project = var.project_id
  name    = local.names.findings_topic
  labels  = local.labels

  # Keep published notifications for 7 days even after they are acknowledged,
  # so a subscription can be rewound (seek) to re-collect after a broken release.
  message_retention_duration = "604800s"

  # Optional CMEK, as for the bucket. Findings are security data; some policies
  # require customer-managed keys for every store, a topic included.
  kms_key_name = var.topic_kms_key_name

  depends_on = [
    google_project_service.enabled,
    google_kms_crypto_key_iam_member.pubsub_cmek,
  ]
}

# Pub/Sub encrypts and decrypts messages as its own service agent: without this
# grant a topic with a KMS key rejects every publish.
resource "google_kms_crypto_key_iam_member" "pubsub_cmek" {
  count = var.topic_kms_key_name == null ? 0 : 1

  crypto_key_id = var.topic_kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = local.pubsub_agent_member

  depends_on = [time_sleep.service_agents]
}

resource "google_scc_v2_organization_notification_config" "this" {
  count = local.org_scope ? 1 : 0

  organization = var.organization_id
  location     = var.scc_location
  config_id    = local.names.config_id
  description  = "Findings for the Reverse Shell evidence function (${var.project_id})."
  pubsub_topic = google_pubsub_topic.findings.id

  streaming_config {
    filter = local.notification_filter
  }
}

resource "google_scc_v2_project_notification_config" "this" {
  count = local.org_scope ? 0 : 1

  project      = var.project_id
  location     = var.scc_location
  config_id    = local.names.config_id
  description  = "Findings for the Reverse Shell evidence function."
  pubsub_topic = google_pubsub_topic.findings.id

  streaming_config {
    filter = local.notification_filter
  }
}

locals {
  notification_config_name = (
    local.org_scope
    ? one(google_scc_v2_organization_notification_config.this[*].name)
    : one(google_scc_v2_project_notification_config.this[*].name)
  )
  scc_service_account = (
    local.org_scope
    ? one(google_scc_v2_organization_notification_config.this[*].service_account)
    : one(google_scc_v2_project_notification_config.this[*].service_account)
  )
}

# The config's own service agent is the identity that publishes; without this
# grant SCC drops the notifications silently.
resource "google_pubsub_topic_iam_member" "scc_publisher" {
  project = var.project_id
  topic   = google_pubsub_topic.findings.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${local.scc_service_account}"
}
