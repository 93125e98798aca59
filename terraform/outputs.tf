output "service_url" {
  description = "run.app URL of the service (reachable only from internal sources; IAM enforced)."
  value       = google_cloud_run_v2_service.function.uri
}

output "bucket" {
  description = "Name of the evidence bucket."
  value       = google_storage_bucket.evidence.name
}

output "topic" {
  description = "Pub/Sub topic SCC publishes the notifications to (projects/P/topics/T)."
  value       = google_pubsub_topic.findings.id
}

output "subscription" {
  description = "Subscription feeding the service: the one Eventarc created (eventarc mode) or the managed push subscription (push mode)."
  value       = local.delivery_subscription_path
}

output "dead_letter_topic" {
  description = "Dead-letter topic (push mode); null in eventarc mode."
  value       = one(google_pubsub_topic.dead_letter[*].id)
}

output "function_service_account_email" {
  description = "Runtime service account of the function."
  value       = google_service_account.function.email
}

output "delivery_service_account_email" {
  description = "Service account whose OIDC token invokes the service."
  value       = google_service_account.delivery.email
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
