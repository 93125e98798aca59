# Default delivery: Eventarc creates and owns a push subscription on the
# findings topic and pushes CloudEvents (binary mode) to "/" of the service.
# That subscription has no dead-letter topic and keeps messages for 24 h, so a
# stuck backlog is alerted on (alerts.tf).
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
  # (The tfcheck schema extract lists this argument as "sa_common" - an artefact
  # of how it reads the provider docs; the provider's argument is service_account.)
  service_account = local.delivery_sa_email

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_v2_service_iam_member.delivery_invoker,
    google_service_account_iam_member.pubsub_agent_token_creator,
  ]
}
