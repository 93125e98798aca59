# Every output of the module, so `terraform output NAME` works here for each name the docs use.

output "service_name" {
  description = "Cloud Run service."
  value       = module.reverse_shell_evidence.service_name
}

output "service_url" {
  description = "run.app URL of the service (internal ingress, IAM enforced)."
  value       = module.reverse_shell_evidence.service_url
}

output "bucket" {
  description = "Evidence bucket: the CLI's --bucket."
  value       = module.reverse_shell_evidence.bucket
}

output "topic" {
  description = "Findings topic; the smoke test publishes here."
  value       = module.reverse_shell_evidence.topic
}

output "trigger" {
  description = "Eventarc trigger; null in push mode."
  value       = module.reverse_shell_evidence.trigger
}

output "subscription" {
  description = "Subscription that delivers to the service."
  value       = module.reverse_shell_evidence.subscription
}

output "dead_letter_topic" {
  description = "Dead-letter topic (push mode); null in eventarc mode."
  value       = module.reverse_shell_evidence.dead_letter_topic
}

output "dead_letter_subscription" {
  description = "Where undeliverable notifications wait 7 days (push mode); null in eventarc mode."
  value       = module.reverse_shell_evidence.dead_letter_subscription
}

output "alert_policy_ids" {
  description = "Alert policies by purpose."
  value       = module.reverse_shell_evidence.alert_policy_ids
}

output "function_service_account_email" {
  description = "Runtime service account of the function."
  value       = module.reverse_shell_evidence.function_service_account_email
}

output "function_service_account_member" {
  description = "The function's identity, for grants made elsewhere."
  value       = module.reverse_shell_evidence.function_service_account_member
}

output "delivery_service_account_email" {
  description = "Service account whose OIDC token invokes the service."
  value       = module.reverse_shell_evidence.delivery_service_account_email
}

output "delivery_service_account_member" {
  description = "IAM member string of the delivery service account."
  value       = module.reverse_shell_evidence.delivery_service_account_member
}

output "notification_config_name" {
  description = "Full name of the SCC v2 notification config."
  value       = module.reverse_shell_evidence.notification_config_name
}

output "custody_key_version" {
  description = "Cloud KMS key version that signs the manifests; null when custody is off."
  value       = module.reverse_shell_evidence.custody_key_version
}

output "custody_export_public_key_command" {
  description = "Command that exports the signing key's public key for offline verification."
  value       = module.reverse_shell_evidence.custody_export_public_key_command
}

output "completion_queue" {
  description = "Cloud Tasks queue of later bundle parts; null when completion tasks are off."
  value       = module.reverse_shell_evidence.completion_queue
}

output "notify_topic" {
  description = "Topic with one message per stored bundle; null unless notify_enabled."
  value       = module.reverse_shell_evidence.notify_topic
}
