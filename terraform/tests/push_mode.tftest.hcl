# Plan-only checks of delivery_mode = "push".
# See defaults.tftest.hcl for why only plan-time values are asserted.

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }
}

# google-beta only creates the service agents; time_sleep must not really sleep in a test.
mock_provider "google-beta" {}

mock_provider "time" {}

variables {
  project_id            = "rsf-test-project"
  region                = "europe-west1"
  image                 = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function:1.0.0"
  bucket_name           = "rsf-test-evidence"
  bucket_location       = "EU"
  retention_period_days = 30
  delivery_mode         = "push"
}

run "push_replaces_eventarc" {
  command = plan

  assert {
    condition     = length(google_pubsub_subscription.push) == 1 && length(google_eventarc_trigger.delivery) == 0
    error_message = "Push mode must create the push subscription and no Eventarc trigger."
  }

  assert {
    condition     = google_pubsub_subscription.push[0].name == "reverse-shell-push" && google_pubsub_subscription.push[0].ack_deadline_seconds == 10
    error_message = "The push subscription must use the default ack deadline of 10 s, above the default delivery budget of 8 s."
  }

  assert {
    condition     = google_pubsub_subscription.push[0].push_config[0].oidc_token[0].service_account_email == "reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com"
    error_message = "Pushes must carry an OIDC token of the delivery SA."
  }

  assert {
    condition     = google_pubsub_subscription.push[0].retry_policy[0].minimum_backoff == "10s" && google_pubsub_subscription.push[0].retry_policy[0].maximum_backoff == "600s"
    error_message = "The retry policy must back off from 10 s to 600 s."
  }

  assert {
    condition     = google_pubsub_subscription.push[0].expiration_policy[0].ttl == ""
    error_message = "The push subscription must never expire."
  }
}

run "dead_letter_policy" {
  command = plan

  assert {
    condition     = google_pubsub_subscription.push[0].dead_letter_policy[0].dead_letter_topic == "projects/rsf-test-project/topics/reverse-shell-dead-letter"
    error_message = "Undeliverable messages must go to the dead-letter topic."
  }

  assert {
    condition     = google_pubsub_subscription.push[0].dead_letter_policy[0].max_delivery_attempts == 10
    error_message = "max_delivery_attempts must default to 10."
  }

  assert {
    condition = (
      length(google_pubsub_topic.dead_letter) == 1
      && length(google_pubsub_subscription.dead_letter_retained) == 1
      && google_pubsub_subscription.dead_letter_retained[0].message_retention_duration == "604800s"
      && google_pubsub_subscription.dead_letter_retained[0].expiration_policy[0].ttl == ""
    )
    error_message = "Dead letters must be retained for 7 days in a subscription that never expires."
  }

  assert {
    condition = (
      google_pubsub_topic_iam_member.dead_letter_publisher[0].topic == "reverse-shell-dead-letter"
      && google_pubsub_topic_iam_member.dead_letter_publisher[0].role == "roles/pubsub.publisher"
      && google_pubsub_topic_iam_member.dead_letter_publisher[0].member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "The Pub/Sub service agent must be publisher on the dead-letter topic."
  }

  assert {
    condition = (
      google_pubsub_subscription_iam_member.push_subscriber[0].subscription == "reverse-shell-push"
      && google_pubsub_subscription_iam_member.push_subscriber[0].role == "roles/pubsub.subscriber"
      && google_pubsub_subscription_iam_member.push_subscriber[0].member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "The Pub/Sub service agent must be subscriber on the push subscription."
  }

  assert {
    condition = (
      google_service_account_iam_member.pubsub_agent_token_creator.role == "roles/iam.serviceAccountTokenCreator"
      && google_service_account_iam_member.pubsub_agent_token_creator.member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "The Pub/Sub service agent must be able to mint OIDC tokens for the delivery SA."
  }
}

run "custom_delivery_attempts" {
  command = plan

  variables {
    max_delivery_attempts = 25
  }

  assert {
    condition     = google_pubsub_subscription.push[0].dead_letter_policy[0].max_delivery_attempts == 25
    error_message = "max_delivery_attempts must be passed to the dead-letter policy."
  }
}

run "push_mode_alerts" {
  command = plan

  assert {
    condition = (
      length(google_monitoring_alert_policy.dead_letters) == 1
      && strcontains(google_monitoring_alert_policy.dead_letters[0].conditions[0].condition_threshold[0].filter, "metric.type = \"pubsub.googleapis.com/subscription/dead_letter_message_count\"")
      && strcontains(google_monitoring_alert_policy.dead_letters[0].conditions[0].condition_threshold[0].filter, "resource.labels.subscription_id = \"reverse-shell-push\"")
    )
    error_message = "Push mode must alert on dead-lettered messages of the push subscription."
  }

  assert {
    condition     = strcontains(google_monitoring_alert_policy.delivery_backlog.conditions[0].condition_threshold[0].filter, "resource.labels.subscription_id = \"reverse-shell-push\"")
    error_message = "The backlog alert must watch the push subscription in push mode."
  }

  assert {
    condition     = strcontains(google_monitoring_alert_policy.service_5xx.conditions[0].condition_threshold[0].filter, "metric.labels.response_code_class = \"5xx\"")
    error_message = "The 5xx alert must exist in push mode too."
  }
}

run "push_mode_needs_only_the_pubsub_agent" {
  command = plan

  assert {
    condition     = toset(keys(google_project_service_identity.agents)) == toset(["pubsub.googleapis.com"])
    error_message = "Push mode creates the Pub/Sub service agent only (no Eventarc)."
  }

  assert {
    condition     = output.trigger == null && toset(keys(output.alert_policy_ids)) == toset(["delivery_backlog", "service_5xx", "dead_letters"])
    error_message = "Push mode has no trigger and three alert policies."
  }
}
