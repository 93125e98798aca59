locals {
  # The subscription that feeds the service. Eventarc reports its own as a full
  # path (projects/P/subscriptions/ID); Monitoring labels use the bare ID.
  delivery_subscription_path = (
    local.eventarc_mode
    ? one(google_eventarc_trigger.delivery[*].transport[0].pubsub[0].subscription)
    : one(google_pubsub_subscription.push[*].id)
  )
  delivery_subscription_id = (
    local.eventarc_mode
    ? element(split("/", local.delivery_subscription_path), 3)
    : one(google_pubsub_subscription.push[*].name)
  )

  alert_doc = <<-EOT
    Reverse Shell evidence collection is degraded for service
    `${local.names.service}` in project `${var.project_id}` (${var.delivery_mode} delivery).
    Evidence for new findings may be missing. Check the service logs:
    `gcloud logging read 'resource.type="cloud_run_revision" AND resource.labels.service_name="${local.names.service}" AND severity>=WARNING' --project ${var.project_id} --limit 50`.
    See terraform/README.md, "Operating".
  EOT
}

# Notifications are not being accepted by the service: failing or unreachable.
# In eventarc mode this is the only early warning before Eventarc's 24 h
# retention drops the message.
resource "google_monitoring_alert_policy" "delivery_backlog" {
  project               = var.project_id
  display_name          = "${local.names.service}: findings waiting for delivery"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "Oldest unacked notification older than ${var.alert_backlog_age_seconds}s"

    condition_threshold {
      filter = join(" AND ", [
        "resource.type = \"pubsub_subscription\"",
        "resource.labels.subscription_id = \"${local.delivery_subscription_id}\"",
        "metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\"",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_backlog_age_seconds
      duration        = "0s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = local.alert_doc
  }

  depends_on = [google_project_service.enabled]
}

# Every 5xx is a notification whose evidence was (at least for now) not
# collected; the platform retries, but a persistent failure needs a human.
resource "google_monitoring_alert_policy" "service_5xx" {
  project               = var.project_id
  display_name          = "${local.names.service}: 5xx responses"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "More than ${var.alert_5xx_threshold} 5xx responses in 5 minutes"

    condition_threshold {
      filter = join(" AND ", [
        "resource.type = \"cloud_run_revision\"",
        "resource.labels.service_name = \"${google_cloud_run_v2_service.function.name}\"",
        "metric.type = \"run.googleapis.com/request_count\"",
        "metric.labels.response_code_class = \"5xx\"",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = var.alert_5xx_threshold
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = local.alert_doc
  }

  depends_on = [google_project_service.enabled]
}

# Push mode: a notification gave up after max_delivery_attempts. It sits in
# the retained dead-letter subscription for 7 days - act before then.
resource "google_monitoring_alert_policy" "dead_letters" {
  count = local.push_mode ? 1 : 0

  project               = var.project_id
  display_name          = "${local.names.service}: notifications dead-lettered"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "Messages forwarded to ${local.names.dead_letter}"

    condition_threshold {
      filter = join(" AND ", [
        "resource.type = \"pubsub_subscription\"",
        "resource.labels.subscription_id = \"${google_pubsub_subscription.push[0].name}\"",
        "metric.type = \"pubsub.googleapis.com/subscription/dead_letter_message_count\"",
      ])
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      ${local.alert_doc}
      Dead letters are kept for 7 days in subscription `${local.names.dead_letter_keep}`.
      Inspect them with `gcloud pubsub subscriptions pull ${local.names.dead_letter_keep} --project ${var.project_id} --limit 10`
      (without --auto-ack); after fixing the cause, republish each message's data to topic `${local.names.findings_topic}`.
    EOT
  }

  depends_on = [google_project_service.enabled]
}
