# Alternative delivery (delivery_mode = "push"): a Pub/Sub push subscription
# managed here, so retries and dead-lettering are under our control.

resource "google_pubsub_topic" "dead_letter" {
  count = local.push_mode ? 1 : 0

  project = var.project_id
  name    = local.names.dead_letter
  labels  = local.labels

  # Dead letters are the same findings: the same key as the findings topic.
  kms_key_name = var.topic_kms_key_name

  depends_on = [
    google_project_service.enabled,
    google_kms_crypto_key_iam_member.pubsub_cmek,
  ]
}

# A topic with no subscription discards what is published to it; this one
# holds dead letters for a week so they can be inspected and replayed.
resource "google_pubsub_subscription" "dead_letter_retained" {
  count = local.push_mode ? 1 : 0

  project = var.project_id
  name    = local.names.dead_letter_keep
  topic   = google_pubsub_topic.dead_letter[0].id
  labels  = local.labels

  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  # Subscriptions expire after 31 idle days by default; dead letters are rare.
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  count = local.push_mode ? 1 : 0

  project = var.project_id
  name    = local.names.push_sub
  topic   = google_pubsub_topic.findings.id
  labels  = local.labels

  # For push this is also the HTTP timeout of a delivery.
  ack_deadline_seconds       = var.ack_deadline_seconds
  message_retention_duration = "604800s"

  # Reverse Shell findings are rare; an idle subscription must not expire.
  expiration_policy {
    ttl = ""
  }

  push_config {
    push_endpoint = google_cloud_run_v2_service.function.uri

    oidc_token {
      service_account_email = local.delivery_sa_email
      audience              = google_cloud_run_v2_service.function.uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    # Built from the name (not .id) so the value is known at plan time.
    dead_letter_topic     = "projects/${var.project_id}/topics/${google_pubsub_topic.dead_letter[0].name}"
    max_delivery_attempts = var.max_delivery_attempts
  }

  lifecycle {
    precondition {
      condition     = var.delivery_budget_seconds < var.ack_deadline_seconds
      error_message = "delivery_budget_seconds must be below ack_deadline_seconds, or a slow delivery is answered after Pub/Sub gave up on it and delivered it again."
    }
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.delivery_invoker,
    google_service_account_iam_member.pubsub_agent_token_creator,
    time_sleep.service_agents,
  ]
}

# Pub/Sub's own service agent moves messages to the dead-letter topic: it must
# be able to publish there ...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  count = local.push_mode ? 1 : 0

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[0].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent_member

  depends_on = [time_sleep.service_agents]
}

# ... and to acknowledge the forwarded message on the source subscription.
resource "google_pubsub_subscription_iam_member" "push_subscriber" {
  count = local.push_mode ? 1 : 0

  project      = var.project_id
  subscription = google_pubsub_subscription.push[0].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member

  depends_on = [time_sleep.service_agents]
}
