# Default delivery: Eventarc creates and owns a push subscription on the
# findings topic and pushes CloudEvents (binary mode) to "/" of the service.
# That subscription keeps an undelivered message 24 h and takes no dead-letter
# topic from Terraform, so a stuck backlog is alerted on well before (alerts.tf)
# and the collection deadline stays under its 600 s ack deadline (run.tf).
resource "google_eventarc_trigger" "delivery" {
  count = local.eventarc_mode ? 1 : 0

  project  = var.project_id
  name     = local.names.trigger
  location = var.region
  labels   = local.labels

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.pubsub.topic.v1.messagePublished"
  }

  # An existing topic: Eventarc subscribes to it but never deletes it.
  transport {
    pubsub {
      topic = google_pubsub_topic.findings.id
    }
  }

  destination {
    cloud_run_service {
      service = google_cloud_run_v2_service.function.name
      region  = var.region
      path    = "/"
    }
  }

  # Identity of the OIDC token on each request; holds only roles/run.invoker.
  service_account = local.delivery_sa_email

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_v2_service_iam_member.delivery_invoker,
    google_service_account_iam_member.pubsub_agent_token_creator,
    # The Eventarc service agent must exist and hold its role, or the first
    # apply fails with "Permission denied while using the Eventarc Service Agent".
    time_sleep.service_agents,
  ]

  lifecycle {
    precondition {
      condition     = var.delivery_budget_seconds < 10
      error_message = "In eventarc mode delivery_budget_seconds must be below 10: the subscription Eventarc creates is reported to wait 10 s for an answer (its ack deadline cannot be set), and a later answer does not count: the event is delivered again."
    }
    precondition {
      condition     = var.alert_backlog_age_seconds <= 43200
      error_message = "In eventarc mode alert_backlog_age_seconds must be at most 43200 (12 h): Eventarc's subscription drops an undelivered message after 24 h."
    }
  }
}
