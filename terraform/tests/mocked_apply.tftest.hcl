# Values that are only known after apply (service URI, the SCC config's
# service agent, the subscription Eventarc creates), checked by "applying"
# against the mock provider: nothing is created anywhere, the mock fills every
# computed attribute with the defaults below.

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }

  mock_resource "google_service_account" {
    defaults = {
      email = "mocked-sa@rsf-test-project.iam.gserviceaccount.com"
      name  = "projects/rsf-test-project/serviceAccounts/mocked-sa@rsf-test-project.iam.gserviceaccount.com"
    }
  }

  mock_resource "google_cloud_run_v2_service" {
    defaults = {
      uri = "https://reverse-shell-function-mocked-ew.a.run.app"
    }
  }

  mock_resource "google_eventarc_trigger" {
    defaults = {
      transport = {
        pubsub = {
          subscription = "projects/rsf-test-project/subscriptions/eventarc-europe-west1-reverse-shell-findings-sub-042"
        }
      }
    }
  }

  mock_resource "google_scc_v2_project_notification_config" {
    defaults = {
      name            = "projects/rsf-test-project/locations/global/notificationConfigs/reverse-shell-findings"
      service_account = "service-123456789012@gcp-sa-scc-notification.iam.gserviceaccount.com"
    }
  }

  mock_resource "google_scc_v2_organization_notification_config" {
    defaults = {
      name            = "organizations/123456789/locations/global/notificationConfigs/reverse-shell-findings"
      service_account = "service-org-123456789@gcp-sa-scc-notification.iam.gserviceaccount.com"
    }
  }
}

# google-beta only creates the service agents; time_sleep must not really sleep in a test.
mock_provider "google-beta" {}

mock_provider "time" {}

# Custody off: the signing key has prevent_destroy, and before Terraform 1.14 the test's cleanup honours it
# ("Instance cannot be destroyed", the file fails with the applied state left behind), on every version from
# the module's required_version on. Nothing asserted here depends on the key; custody.tftest.hcl checks the
# key at plan, and .ci/terraform-teardown applies it and checks that a destroy is refused until the
# terraform state rm lines of README section 10 have run.
variables {
  project_id            = "rsf-test-project"
  region                = "europe-west1"
  image                 = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function:1.0.0"
  bucket_name           = "rsf-test-evidence"
  bucket_location       = "EU"
  retention_period_days = 30
  custody_enabled       = false
}

run "eventarc_mode_after_apply" {
  command = apply

  assert {
    condition = (
      google_pubsub_topic_iam_member.scc_publisher.member == "serviceAccount:service-123456789012@gcp-sa-scc-notification.iam.gserviceaccount.com"
      && google_pubsub_topic_iam_member.scc_publisher.role == "roles/pubsub.publisher"
      && google_pubsub_topic_iam_member.scc_publisher.topic == "reverse-shell-findings"
    )
    error_message = "The notification config's own service agent must be publisher on the findings topic."
  }

  assert {
    condition = alltrue([
      for m in flatten([
        [google_pubsub_topic_iam_member.scc_publisher.member],
        [for g in google_project_iam_member.function : g.member],
        [for g in google_project_iam_member.function_findings_viewer : g.member],
        [for g in google_storage_bucket_iam_member.function : g.member],
        [google_cloud_run_v2_service_iam_member.delivery_invoker.member],
        [google_service_account_iam_member.pubsub_agent_token_creator.member],
      ]) : !contains(["allUsers", "allAuthenticatedUsers"], m)
    ])
    error_message = "No grant may go to allUsers or allAuthenticatedUsers."
  }

  assert {
    condition     = output.subscription == "projects/rsf-test-project/subscriptions/eventarc-europe-west1-reverse-shell-findings-sub-042"
    error_message = "In eventarc mode the subscription output must be the trigger's subscription."
  }

  assert {
    condition     = strcontains(google_monitoring_alert_policy.delivery_backlog.conditions[0].condition_threshold[0].filter, "resource.labels.subscription_id = \"eventarc-europe-west1-reverse-shell-findings-sub-042\"")
    error_message = "The backlog alert must watch the bare ID of Eventarc's subscription."
  }

  assert {
    condition     = strcontains(google_monitoring_alert_policy.delivery_backlog.conditions[0].condition_threshold[0].filter, "metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\"")
    error_message = "The backlog alert must use oldest_unacked_message_age."
  }

  assert {
    condition = (
      output.service_url == "https://reverse-shell-function-mocked-ew.a.run.app"
      && output.notification_config_name == "projects/rsf-test-project/locations/global/notificationConfigs/reverse-shell-findings"
      && output.bucket == "rsf-test-evidence"
      && output.dead_letter_topic == null
      && output.trigger == google_eventarc_trigger.delivery[0].id
    )
    error_message = "Outputs must expose the service URL, config name and bucket."
  }
}

run "push_mode_after_apply" {
  command = apply

  variables {
    delivery_mode = "push"
  }

  assert {
    condition = (
      google_pubsub_subscription.push[0].push_config[0].push_endpoint == "https://reverse-shell-function-mocked-ew.a.run.app"
      && google_pubsub_subscription.push[0].push_config[0].oidc_token[0].audience == "https://reverse-shell-function-mocked-ew.a.run.app"
    )
    error_message = "Pushes must go to the service URL with the service URL as token audience."
  }

  assert {
    condition     = output.subscription == google_pubsub_subscription.push[0].id && output.dead_letter_topic == google_pubsub_topic.dead_letter[0].id
    error_message = "In push mode the outputs must name the push subscription and the dead-letter topic."
  }
}

run "org_scope_after_apply" {
  command = apply

  variables {
    organization_id = "123456789"
  }

  assert {
    condition     = google_pubsub_topic_iam_member.scc_publisher.member == "serviceAccount:service-org-123456789@gcp-sa-scc-notification.iam.gserviceaccount.com"
    error_message = "At organization scope the organization config's service agent must publish."
  }

  assert {
    condition     = output.notification_config_name == "organizations/123456789/locations/global/notificationConfigs/reverse-shell-findings"
    error_message = "notification_config_name must name the organization config."
  }
}
