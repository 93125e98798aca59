# Plan-only checks of the optional notification topic (notify.tf).

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }
}

# Every provider the module uses is mocked: an unmocked one is configured for real (credentials, network).
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
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(google_pubsub_topic.notify) == 0 && length(google_pubsub_topic_iam_member.notify_publisher) == 0
    error_message = "No notification topic unless notify_enabled."
  }

  assert {
    condition     = !contains(keys(local.function_env), "NOTIFY_TOPIC")
    error_message = "NOTIFY_TOPIC must not be set without the topic."
  }
}

run "topic_publishable_by_the_function_only" {
  command = plan

  variables {
    notify_enabled = true
  }

  assert {
    condition     = google_pubsub_topic.notify[0].name == "reverse-shell-evidence-stored"
    error_message = "The topic is named after the prefix."
  }

  assert {
    condition     = google_pubsub_topic_iam_member.notify_publisher[0].role == "roles/pubsub.publisher"
    error_message = "The grant is publish, nothing more."
  }

  assert {
    condition     = google_pubsub_topic_iam_member.notify_publisher[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    error_message = "Only the function's service account may publish."
  }

  assert {
    condition     = local.function_env["NOTIFY_TOPIC"] == "projects/rsf-test-project/topics/reverse-shell-evidence-stored"
    error_message = "The function is told the topic's full name."
  }
}

run "marks_writer_only_when_asked" {
  command = plan

  variables {
    mark_findings = true
  }

  assert {
    condition     = google_project_iam_member.function_marks_writer[0].role == "roles/securitycenter.findingSecurityMarksWriter"
    error_message = "Marking findings needs the security marks writer role, nothing broader."
  }

  assert {
    condition     = google_project_iam_member.function_marks_writer[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    error_message = "The grant is for the function's service account."
  }

  assert {
    condition     = local.function_env["MARK_FINDINGS"] == "true"
    error_message = "The function is told to mark findings."
  }
}
