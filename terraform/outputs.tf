output "service_name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.function.name
}

output "service_url" {
  description = "run.app URL of the service (reachable only from internal sources; IAM enforced)."
  value       = google_cloud_run_v2_service.function.uri
}

output "bucket" {
  description = "Name of the evidence bucket: the --bucket of the CLI's list, show, get and verify."
  value       = google_storage_bucket.evidence.name
}

output "topic" {
  description = "Pub/Sub topic SCC publishes the notifications to (projects/P/topics/T): the queue in front of the service."
  value       = google_pubsub_topic.findings.id
}

output "trigger" {
  description = "Eventarc trigger (projects/P/locations/L/triggers/T) in eventarc mode; null in push mode."
  value       = one(google_eventarc_trigger.delivery[*].id)
}

output "subscription" {
  description = "Subscription feeding the service: the one Eventarc created (eventarc mode) or the managed push subscription (push mode)."
  value       = local.delivery_subscription_path
}

output "dead_letter_topic" {
  description = "Dead-letter topic (push mode); null in eventarc mode."
  value       = one(google_pubsub_topic.dead_letter[*].id)
}

output "dead_letter_subscription" {
  description = "Subscription that keeps dead letters for 7 days (push mode); null in eventarc mode."
  value       = one(google_pubsub_subscription.dead_letter_retained[*].id)
}

output "alert_policy_ids" {
  description = "Alert policy names (projects/P/alertPolicies/ID) by purpose: delivery_backlog, service_5xx and, in push mode, dead_letters."
  value = merge(
    {
      delivery_backlog = google_monitoring_alert_policy.delivery_backlog.name
      service_5xx      = google_monitoring_alert_policy.service_5xx.name
    },
    local.push_mode ? { dead_letters = google_monitoring_alert_policy.dead_letters[0].name } : {},
  )
}

output "function_service_account_email" {
  description = "Runtime service account of the function."
  value       = google_service_account.function.email
}

output "function_service_account_member" {
  description = "IAM member string of the function's service account (serviceAccount:EMAIL), for grants made outside this module."
  value       = local.function_sa_member
}

output "delivery_service_account_email" {
  description = "Service account whose OIDC token invokes the service."
  value       = google_service_account.delivery.email
}

output "delivery_service_account_member" {
  description = "IAM member string of the delivery service account (serviceAccount:EMAIL)."
  value       = local.delivery_sa_member
}

output "notification_config_name" {
  description = "Full name of the SCC v2 notification config."
  value       = local.notification_config_name
}

# Chain of custody (custody.tf)

output "custody_key_version" {
  description = "Cloud KMS key version that signs the manifests (KMS_KEY_VERSION); null when custody is off."
  value       = var.custody_enabled ? local.custody_key_version : null
}

output "custody_export_public_key_command" {
  description = "Exports the signing key's public key for offline verification (verify --public-key, openssl dgst -verify)."
  value       = var.custody_enabled ? "gcloud kms keys versions get-public-key ${var.custody_key_version} --key=${var.custody_key_name} --keyring=${var.custody_key_ring_name} --location=${local.custody_location} --project=${var.project_id} --output-file=custody-public-key.pem" : null
}
