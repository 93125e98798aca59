# Plan-only checks of completion.tf: the Cloud Tasks queue of later bundle parts, its limits, IAM and settings.

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
}

run "queue_is_on_by_default_sized_for_the_logging_quota" {
  command = plan

  assert {
    condition     = google_cloud_tasks_queue.completion[0].name == "reverse-shell-completions" && google_cloud_tasks_queue.completion[0].location == "europe-west1"
    error_message = "The queue is named after the prefix, in the service's region."
  }

  assert {
    condition = (
      google_cloud_tasks_queue.completion[0].rate_limits[0].max_dispatches_per_second == 0.01
      && google_cloud_tasks_queue.completion[0].rate_limits[0].max_concurrent_dispatches == 5
      && local.completion_reads_per_dispatch == 44
    )
    error_message = "Completions are paced at 0.01 a second (44 reads each at most: 26.4 of Logging's 60 reads a minute) and 5 at once."
  }

  assert {
    condition = (
      google_cloud_tasks_queue.completion[0].retry_config[0].max_retry_duration == "90000s"
      && google_cloud_tasks_queue.completion[0].retry_config[0].max_attempts == 30
      && google_cloud_tasks_queue.completion[0].retry_config[0].min_backoff == "60s"
      && google_cloud_tasks_queue.completion[0].retry_config[0].max_backoff == "3600s"
      && google_cloud_tasks_queue.completion[0].retry_config[0].max_doublings == 4
    )
    error_message = "Retries last past the 24 h give-up age, from a minute up to an hour apart."
  }

  assert {
    condition     = local.function_env["COMPLETION_QUEUE"] == "projects/rsf-test-project/locations/europe-west1/queues/reverse-shell-completions"
    error_message = "The function is told the queue's full name."
  }

  assert {
    condition     = local.function_env["COMPLETION_URL"] == "https://reverse-shell-function-123456789012.europe-west1.run.app/completions"
    error_message = "COMPLETION_URL is the service's deterministic run.app URL, from the project number (no cycle through the service's uri)."
  }

  assert {
    condition     = local.function_env["COMPLETION_SERVICE_ACCOUNT"] == "reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com"
    error_message = "Tasks carry the token of the delivery SA, the one that may invoke the service."
  }

  assert {
    condition     = contains(keys(google_project_service.enabled), "cloudtasks.googleapis.com")
    error_message = "The Cloud Tasks API is enabled with the others."
  }

  assert {
    condition     = output.completion_queue == "projects/rsf-test-project/locations/europe-west1/queues/reverse-shell-completions"
    error_message = "The queue's id is an output."
  }
}

run "iam_is_least_privilege" {
  command = plan

  assert {
    condition = (
      google_cloud_tasks_queue_iam_member.function_enqueuer[0].role == "roles/cloudtasks.enqueuer"
      && google_cloud_tasks_queue_iam_member.function_enqueuer[0].name == "reverse-shell-completions"
      && google_cloud_tasks_queue_iam_member.function_enqueuer[0].location == "europe-west1"
      && google_cloud_tasks_queue_iam_member.function_enqueuer[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    )
    error_message = "The function may only enqueue, on the completion queue only."
  }

  assert {
    condition = (
      google_service_account_iam_member.function_acts_as_delivery[0].role == "roles/iam.serviceAccountUser"
      && google_service_account_iam_member.function_acts_as_delivery[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    )
    error_message = "The function may act as the delivery SA (to attach its OIDC token), nothing more."
  }

  assert {
    condition     = google_cloud_run_v2_service_iam_member.delivery_invoker.member == "serviceAccount:reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com" && google_cloud_run_v2_service_iam_member.delivery_invoker.role == "roles/run.invoker"
    error_message = "The account whose token the tasks carry must be able to invoke the service."
  }
}

run "off_means_no_queue_no_grants_no_settings" {
  command = plan

  variables {
    completion_tasks_enabled = false
  }

  assert {
    condition = (
      length(google_cloud_tasks_queue.completion) == 0
      && length(google_cloud_tasks_queue_iam_member.function_enqueuer) == 0
      && length(google_service_account_iam_member.function_acts_as_delivery) == 0
    )
    error_message = "Without Cloud Tasks there is no queue and no grant."
  }

  # Pending records in the evidence store are given up after COMPLETION_GIVE_UP_HOURS too, so that one stays.
  assert {
    condition = (
      toset([for k in keys(local.function_env) : k if startswith(k, "COMPLETION_")]) == toset(["COMPLETION_GIVE_UP_HOURS"])
      && local.function_env["COMPLETION_GIVE_UP_HOURS"] == "24"
    )
    error_message = "Without the queue the function gets no COMPLETION_QUEUE, COMPLETION_URL or COMPLETION_SERVICE_ACCOUNT (it keeps pending records instead), only the give-up age."
  }

  assert {
    condition     = !contains(keys(google_project_service.enabled), "cloudtasks.googleapis.com") && output.completion_queue == null
    error_message = "No Cloud Tasks API and no queue output when it is off."
  }
}

run "a_raised_logging_quota_allows_a_faster_queue" {
  command = plan

  variables {
    logging_read_quota_per_minute        = 600
    completion_max_dispatches_per_second = 0.1
  }

  assert {
    condition     = google_cloud_tasks_queue.completion[0].rate_limits[0].max_dispatches_per_second == 0.1
    error_message = "With a tenfold quota, ten times the rate fits."
  }
}

run "fewer_log_entries_per_file_allow_a_faster_queue" {
  command = plan

  variables {
    log_max_entries                      = 1000
    completion_max_dispatches_per_second = 0.06
  }

  assert {
    condition     = local.completion_reads_per_dispatch == 8 && google_cloud_tasks_queue.completion[0].rate_limits[0].max_dispatches_per_second == 0.06
    error_message = "One page per window (2 x 1 + 2 calls each) costs 8 reads a dispatch: 0.06 a second uses 28.8 of 60."
  }
}

run "a_rate_that_eats_the_logging_quota_is_refused" {
  command = plan

  variables {
    completion_max_dispatches_per_second = 0.02
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "concurrency_beyond_half_the_service_is_refused" {
  command = plan

  variables {
    completion_max_concurrent_dispatches = 21
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "a_timeout_below_the_shortest_dispatch_deadline_is_refused" {
  command = plan

  variables {
    timeout_seconds             = 14
    collection_deadline_seconds = 10
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "min_backoff_above_max_backoff_is_refused" {
  command = plan

  variables {
    completion_min_backoff_seconds = 600
    completion_max_backoff_seconds = 300
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "retries_shorter_than_the_give_up_age_are_refused" {
  command = plan

  variables {
    completion_max_retry_duration_seconds = 3600
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "a_longer_give_up_age_needs_longer_retries" {
  command = plan

  variables {
    completion_give_up_hours = 48
  }

  expect_failures = [google_cloud_tasks_queue.completion]
}

run "a_short_give_up_age_allows_short_retries" {
  command = plan

  variables {
    completion_give_up_hours              = 2
    completion_max_retry_duration_seconds = 7200
  }

  assert {
    condition     = google_cloud_tasks_queue.completion[0].retry_config[0].max_retry_duration == "7200s"
    error_message = "Retries as long as the give-up age are enough."
  }
}

run "retries_under_an_hour_are_refused" {
  command = plan

  variables {
    completion_max_retry_duration_seconds = 600
  }

  expect_failures = [var.completion_max_retry_duration_seconds]
}

run "zero_attempts_is_refused" {
  command = plan

  variables {
    completion_max_attempts = 0
  }

  expect_failures = [var.completion_max_attempts]
}
