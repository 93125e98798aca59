# Completion of bundles: a bundle is collected in parts. Part 1 is stored at delivery; part n+1 is due later,
# when log windows have closed or a collector's transient failure (429/5xx) may have passed. The function
# schedules each later part as one named Cloud Tasks task (COMPLETION_QUEUE); at the due time Cloud Tasks POSTs
# {"bundleId","part"} to the service's /completions with an OIDC token of the delivery SA, and retries while
# the function answers 429/503. completion_tasks_enabled = false: no queue, the function keeps pending
# records in the evidence store instead.

locals {
  # Spelled out (known at plan time) rather than read from the queue's computed id.
  completion_queue_id = "projects/${var.project_id}/locations/${var.region}/queues/${local.names.completion_queue}"

  # The service's deterministic run.app URL, https://SERVICE-PROJECT_NUMBER.REGION.run.app, built from the
  # project number: reading google_cloud_run_v2_service.function.uri instead would make the service's own
  # environment depend on the service (a cycle). Cloud Run checks a token's audience against the service's
  # run.app URLs, and this is one of them.
  completion_service_url = "https://${local.names.service}-${data.google_project.this.number}.${var.region}.run.app"

  # Merged into the container's environment (locals.tf). The tasks carry the delivery SA's token: it already
  # holds roles/run.invoker on this service and nothing else (iam.tf).
  # The most entries.list calls one completion dispatch makes: two log windows, each read stopping after
  # 2 x ceil(LOG_MAX_ENTRIES / 1000) + 2 calls (LogEntriesDownload.MaxCalls in the function; a test compares).
  completion_reads_per_dispatch = 2 * (2 * ceil(var.log_max_entries / 1000) + 2)

  completion_env = var.completion_tasks_enabled ? {
    COMPLETION_QUEUE           = local.completion_queue_id
    COMPLETION_URL             = "${local.completion_service_url}/completions"
    COMPLETION_SERVICE_ACCOUNT = local.delivery_sa_email
  } : {}
}

# A queue name cannot be used again for 7 days after the queue is deleted: a destroy and a re-apply within a
# week fail here until then (or use another name_prefix).
resource "google_cloud_tasks_queue" "completion" {
  count = var.completion_tasks_enabled ? 1 : 0

  project  = var.project_id
  name     = local.names.completion_queue
  location = var.region

  # Sized for Cloud Logging's read quota, the scarcest resource of the whole deployment: entries.list is
  # limited to logging_read_quota_per_minute (60 by default) calls a minute per project, shared by every
  # collection of every instance. A completion re-reads at most the two log windows of its bundle (container
  # logs, admin-activity audit logs), and one window read makes at most 2 x ceil(log_max_entries / 1000) + 2
  # entries.list calls (the function stops there and says truncated: Logging answers short and empty pages), so
  # every dispatch, first attempt or retry, costs at most local.completion_reads_per_dispatch calls: 44 with the
  # default log_max_entries. The queue's rate bounds all dispatches together: 0.01 a second is at most 0.6
  # completions, 26.4 reads a minute, leaving more than half the quota to the first parts of new findings (the
  # precondition below allows at most half). Cloud Tasks also picks a burst size (output only) that can add a few
  # dispatches after an idle spell; a log read refused for quota is "retry later" to the function (a 429/503
  # answer, retried), never a lost part. The concurrency cap keeps slow completions (up to
  # collection_deadline_seconds each) from holding more than half of the service's request slots. Completions
  # that share reads do not wait for this rate one by one: the first of a group (same resource, due the same
  # minute) runs its siblings, whose identical reads the instance answers from the pages it just read (README,
  # "Parts"); those answers cost no quota, and the reads a dispatch sends, its own part's and its siblings'
  # together, never exceed local.completion_reads_per_dispatch (the function refuses the next one before it is
  # sent and leaves that window to a later part), so the bound holds for a dispatch that runs siblings too.
  rate_limits {
    max_dispatches_per_second = var.completion_max_dispatches_per_second
    max_concurrent_dispatches = var.completion_max_concurrent_dispatches
  }

  # The function answers 2xx once a part is stored or nothing is left, and gives a part up after
  # COMPLETION_GIVE_UP_HOURS (24 h by default), so retries must last at least that long (the precondition
  # below). Cloud Tasks stops only when both max_attempts and max_retry_duration are reached.
  retry_config {
    max_attempts       = var.completion_max_attempts
    max_retry_duration = "${var.completion_max_retry_duration_seconds}s"
    min_backoff        = "${var.completion_min_backoff_seconds}s"
    max_backoff        = "${var.completion_max_backoff_seconds}s"
    max_doublings      = var.completion_max_doublings
  }

  # Every dispatch and its answer in Cloud Logging: when each part was attempted, and why it was retried.
  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  lifecycle {
    precondition {
      condition     = local.completion_reads_per_dispatch * 60 * var.completion_max_dispatches_per_second <= var.logging_read_quota_per_minute / 2
      error_message = "completion_max_dispatches_per_second is too high: each dispatch reads up to 2 log windows of at most 2 x ceil(log_max_entries / 1000) + 2 entries.list calls each (44 for the default log_max_entries), and completions may use at most half of logging_read_quota_per_minute (rate <= quota / (120 x reads per dispatch), about 0.0114 for the defaults)."
    }
    precondition {
      condition     = var.completion_max_concurrent_dispatches * 2 <= var.max_instances * var.max_instance_request_concurrency
      error_message = "completion_max_concurrent_dispatches may take at most half of the service's request slots (max_instances x max_instance_request_concurrency)."
    }
    precondition {
      # A task that stopped retrying before the give-up age would leave its bundle pending for good.
      condition     = var.completion_max_retry_duration_seconds >= var.completion_give_up_hours * 3600
      error_message = "completion_max_retry_duration_seconds must be at least completion_give_up_hours x 3600: the function answers a part's task with success only once it is stored or given up."
    }
    precondition {
      # Each task's dispatchDeadline is the service's timeout (REQUEST_TIMEOUT_SECONDS); Cloud Tasks' minimum is 15 s.
      condition     = var.timeout_seconds >= 15
      error_message = "timeout_seconds must be at least 15 with completion_tasks_enabled: it is each completion task's dispatchDeadline, and Cloud Tasks refuses one under 15 s."
    }
    precondition {
      condition     = var.completion_min_backoff_seconds <= var.completion_max_backoff_seconds
      error_message = "completion_min_backoff_seconds must not exceed completion_max_backoff_seconds."
    }
    precondition {
      # Cloud Run assigns the deterministic URL only when SERVICE-PROJECT_NUMBER fits one DNS label.
      condition     = length("${local.names.service}-${data.google_project.this.number}") <= 63
      error_message = "The service name and project number are too long for Cloud Run's deterministic URL (63 characters), which COMPLETION_URL uses."
    }
  }

  depends_on = [google_project_service.enabled]
}

# Least privilege: the function may add tasks to this one queue (cloudtasks.tasks.create); it cannot pause,
# purge, delete or run tasks, nor touch any other queue.
resource "google_cloud_tasks_queue_iam_member" "function_enqueuer" {
  count = var.completion_tasks_enabled ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.completion[0].name
  role     = "roles/cloudtasks.enqueuer"
  member   = local.function_sa_member
}

# A task that carries an OIDC token of a service account can only be created by a caller with
# iam.serviceAccounts.actAs on that account. Granted on the delivery SA only, whose one permission is
# run.invoker on this service: the function can at most have Cloud Tasks call the function. actAs is not
# token creation; the function itself never gets a token of the delivery SA (Cloud Tasks' own service agent
# mints it, with the role Google grants it when the API is enabled).
resource "google_service_account_iam_member" "function_acts_as_delivery" {
  count = var.completion_tasks_enabled ? 1 : 0

  service_account_id = google_service_account.delivery.name
  role               = "roles/iam.serviceAccountUser"
  member             = local.function_sa_member
}

output "completion_queue" {
  description = "Cloud Tasks queue of later bundle parts (COMPLETION_QUEUE, projects/P/locations/L/queues/Q); null when completion_tasks_enabled is false."
  value       = var.completion_tasks_enabled ? local.completion_queue_id : null
}
