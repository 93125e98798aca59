output "service_name" {
  description = "Cloud Run service."
  value       = module.reverse_shell_evidence.service_name
}

output "bucket" {
  description = "Evidence bucket: the CLI's --bucket."
  value       = module.reverse_shell_evidence.bucket
}

output "topic" {
  description = "Findings topic; the smoke test publishes here."
  value       = module.reverse_shell_evidence.topic
}

output "subscription" {
  description = "Subscription that delivers to the service."
  value       = module.reverse_shell_evidence.subscription
}

output "alert_policy_ids" {
  description = "Alert policies by purpose."
  value       = module.reverse_shell_evidence.alert_policy_ids
}

output "function_service_account_member" {
  description = "The function's identity, for grants made elsewhere."
  value       = module.reverse_shell_evidence.function_service_account_member
}
