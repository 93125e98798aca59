# Optional: one small JSON message per stored bundle (bundle id, completeness, object URI, headline,
# severity, project, service) on a topic of its own, so teams connect chat or ticketing to it
# (docs/responder.md). Only the function may publish to it; subscriptions are the teams' own.

resource "google_pubsub_topic" "notify" {
  count = var.notify_enabled ? 1 : 0

  project = var.project_id
  name    = "${var.name_prefix}-evidence-stored"
  labels  = local.labels

  # Long enough for a subscriber that is down over a weekend.
  message_retention_duration = "604800s"

  depends_on = [google_project_service.enabled]
}

# Least privilege: publish on this one topic, for the function's service account only.
resource "google_pubsub_topic_iam_member" "notify_publisher" {
  count = var.notify_enabled ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.notify[0].name
  role    = "roles/pubsub.publisher"
  member  = local.function_sa_member
}

locals {
  # Merged into the container's environment (locals.tf): NOTIFY_TOPIC as projects/P/topics/T, spelled out
  # so that it is known at plan time (tests/notify.tftest.hcl).
  notify_topic_id = "projects/${var.project_id}/topics/${var.name_prefix}-evidence-stored"
  notify_env = merge(
    var.notify_enabled ? { NOTIFY_TOPIC = local.notify_topic_id } : {},
    var.mark_findings ? { MARK_FINDINGS = "true" } : {},
  )
}

output "notify_topic" {
  description = "Topic that gets one message per stored bundle (null when notify_enabled is false)."
  value       = var.notify_enabled ? local.notify_topic_id : null
}

# Optional: security marks on the finding (bundle id, URI, SHA-256), so SCC's console leads to the bundle.
# roles/securitycenter.findingSecurityMarksWriter holds securitycenter.findingsecuritymarks.update, which
# updateSecurityMarks requires, and nothing that changes a finding's state or mute. Same scope as the
# findings viewer grant in iam.tf.
resource "google_organization_iam_member" "function_marks_writer" {
  count = var.mark_findings && local.org_scope ? 1 : 0

  org_id = var.organization_id
  role   = "roles/securitycenter.findingSecurityMarksWriter"
  member = local.function_sa_member
}

resource "google_project_iam_member" "function_marks_writer" {
  count = var.mark_findings && !local.org_scope ? 1 : 0

  project = var.project_id
  role    = "roles/securitycenter.findingSecurityMarksWriter"
  member  = local.function_sa_member
}
