# Bad inputs must be rejected at plan time. Each run breaks exactly one input.

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

run "valid_baseline_plans" {
  command = plan
}

run "rejects_domain_scoped_project_id" {
  command = plan
  variables {
    project_id = "example.com:rsf-test"
  }
  expect_failures = [var.project_id]
}

run "rejects_zone_as_region" {
  command = plan
  variables {
    region = "europe-west1-b"
  }
  expect_failures = [var.region]
}

run "rejects_uppercase_region" {
  command = plan
  variables {
    region = "Europe-West1"
  }
  expect_failures = [var.region]
}

run "rejects_org_id_with_prefix" {
  command = plan
  variables {
    organization_id = "organizations/123456789"
  }
  expect_failures = [var.organization_id]
}

run "rejects_unknown_delivery_mode" {
  command = plan
  variables {
    delivery_mode = "pull"
  }
  expect_failures = [var.delivery_mode]
}

run "rejects_too_few_delivery_attempts" {
  command = plan
  variables {
    max_delivery_attempts = 4
  }
  expect_failures = [var.max_delivery_attempts]
}

run "rejects_too_many_delivery_attempts" {
  command = plan
  variables {
    max_delivery_attempts = 101
  }
  expect_failures = [var.max_delivery_attempts]
}

run "rejects_short_ack_deadline" {
  command = plan
  variables {
    ack_deadline_seconds = 5
  }
  expect_failures = [var.ack_deadline_seconds]
}

run "rejects_zero_retention" {
  command = plan
  variables {
    retention_period_days = 0
  }
  expect_failures = [var.retention_period_days]
}

run "rejects_invalid_bucket_name" {
  command = plan
  variables {
    bucket_name = "Evidence_Bucket"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_google" {
  command = plan
  variables {
    bucket_name = "my-google-evidence"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_empty_image" {
  command = plan
  variables {
    image = ""
  }
  expect_failures = [var.image]
}

run "rejects_the_examples_placeholder_image" {
  command = plan
  variables {
    image = "REPLACE_WITH_REGION-docker.pkg.dev/REPLACE_WITH_PROJECT_ID/REPLACE_WITH_REPOSITORY/reverse-shell-function@sha256:REPLACE_WITH_DIGEST"
  }
  expect_failures = [var.image]
}

run "accepts_an_image_pinned_by_digest" {
  command = plan
  variables {
    image = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}

run "rejects_empty_categories" {
  command = plan
  variables {
    categories = []
  }
  expect_failures = [var.categories]
}

run "rejects_category_with_quote" {
  command = plan
  variables {
    categories = ["Reverse \" OR category=\"x"]
  }
  expect_failures = [var.categories]
}

run "rejects_short_kms_key_name" {
  command = plan
  variables {
    kms_key_name = "evidence-key"
  }
  expect_failures = [var.kms_key_name]
}

run "rejects_soft_delete_below_7_days" {
  command = plan
  variables {
    soft_delete_retention_days = 3
  }
  expect_failures = [var.soft_delete_retention_days]
}

run "rejects_secret_version_path" {
  command = plan
  variables {
    redaction_key_secret_id = "projects/rsf-test-project/secrets/hmac/versions/1"
  }
  expect_failures = [var.redaction_key_secret_id]
}

run "rejects_bad_memory" {
  command = plan
  variables {
    memory = "512MB"
  }
  expect_failures = [var.memory]
}

run "rejects_bad_name_prefix" {
  command = plan
  variables {
    name_prefix = "Reverse_Shell"
  }
  expect_failures = [var.name_prefix]
}

run "rejects_bad_notification_channel" {
  command = plan
  variables {
    notification_channels = ["12345"]
  }
  expect_failures = [var.notification_channels]
}

# Inputs that the function itself would refuse at start (exit 2: the revision never becomes ready). The
# limits are the app's (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); SettingsParityTest in
# the xunit tests fails when a validation here and the app disagree.

run "rejects_zero_audit_window" {
  command = plan
  variables {
    audit_window_days = 0
  }
  expect_failures = [var.audit_window_days]
}

run "rejects_zero_related_max_findings" {
  command = plan
  variables {
    related_max_findings = 0
  }
  expect_failures = [var.related_max_findings]
}

run "rejects_unbounded_log_max_entries" {
  command = plan
  variables {
    log_max_entries = 10000001
  }
  expect_failures = [var.log_max_entries]
}

run "rejects_unbounded_log_max_bytes" {
  command = plan
  variables {
    log_max_bytes = 10737418241
  }
  expect_failures = [var.log_max_bytes]
}

run "rejects_fractional_deadline" {
  command = plan
  variables {
    collection_deadline_seconds = 1.5
  }
  expect_failures = [var.collection_deadline_seconds]
}

run "rejects_fractional_cpu_on_gen2" {
  command = plan
  variables {
    cpu = "0.5"
  }
  expect_failures = [var.cpu]
}

run "rejects_millicpu_on_gen2" {
  command = plan
  variables {
    cpu = "500m"
  }
  expect_failures = [var.cpu]
}

run "rejects_cpu_3" {
  command = plan
  variables {
    cpu = "3"
  }
  expect_failures = [var.cpu]
}

run "rejects_retention_beyond_provider_6_range" {
  command = plan
  variables {
    retention_period_days = 24856
  }
  expect_failures = [var.retention_period_days]
}

run "rejects_bad_scc_location" {
  command = plan
  variables {
    scc_location = "EU West"
  }
  expect_failures = [var.scc_location]
}

run "rejects_short_topic_kms_key_name" {
  command = plan
  variables {
    topic_kms_key_name = "topic-key"
  }
  expect_failures = [var.topic_kms_key_name]
}

run "rejects_negative_service_agent_wait" {
  command = plan
  variables {
    service_agent_wait_seconds = -1
  }
  expect_failures = [var.service_agent_wait_seconds]
}

run "accepts_the_largest_retention" {
  command = plan
  variables {
    retention_period_days = 24855
  }
}

# Cross-input rules are lifecycle preconditions (variable validations may only
# refer to other variables from Terraform 1.9 on).

run "rejects_deadline_not_below_timeout" {
  command = plan
  variables {
    collection_deadline_seconds = 300
    timeout_seconds             = 300
  }
  expect_failures = [google_cloud_run_v2_service.function]
}

# max_instances stays at its default: a lower one would also trip the completion queue's precondition (half the
# service's request slots), which fails the plan before the service's own precondition is checked.
run "rejects_min_above_max_instances" {
  command = plan
  variables {
    min_instances = 11
  }
  expect_failures = [google_cloud_run_v2_service.function]
}

run "rejects_budget_not_below_ack_deadline" {
  command = plan
  variables {
    delivery_mode           = "push"
    ack_deadline_seconds    = 10
    delivery_budget_seconds = 10
  }
  expect_failures = [google_pubsub_subscription.push]
}

run "accepts_longer_budget_with_longer_push_ack_deadline" {
  command = plan
  variables {
    delivery_mode               = "push"
    ack_deadline_seconds        = 60
    delivery_budget_seconds     = 50
    collection_deadline_seconds = 45
  }
}

run "rejects_budget_of_ten_in_eventarc_mode" {
  command = plan
  variables {
    delivery_budget_seconds = 10
  }
  expect_failures = [google_eventarc_trigger.delivery]
}

run "rejects_fractional_budget" {
  command = plan
  variables {
    delivery_budget_seconds = 7.5
  }
  expect_failures = [var.delivery_budget_seconds]
}

run "rejects_expiry_shorter_than_retention" {
  command = plan
  variables {
    object_expiry_days = 10
  }
  expect_failures = [google_storage_bucket.evidence]
}

# A completion's collection is not bound by any ack deadline: only part 1 at a delivery is, by its budget.
run "accepts_a_long_collection_deadline_in_eventarc_mode" {
  command = plan
  variables {
    collection_deadline_seconds = 600
    timeout_seconds             = 900
  }
}

run "accepts_a_long_deadline_in_push_mode" {
  command = plan
  variables {
    delivery_mode               = "push"
    collection_deadline_seconds = 550
    ack_deadline_seconds        = 600
    timeout_seconds             = 900
  }
}

run "rejects_a_late_backlog_alert_in_eventarc_mode" {
  command = plan
  variables {
    alert_backlog_age_seconds = 50000
  }
  expect_failures = [google_eventarc_trigger.delivery]
}

run "rejects_memory_below_the_gen2_minimum" {
  command = plan
  variables {
    memory = "256Mi"
  }
  expect_failures = [google_cloud_run_v2_service.function]
}

run "rejects_4_cpus_with_1gi" {
  command = plan
  variables {
    cpu    = "4"
    memory = "1Gi"
  }
  expect_failures = [google_cloud_run_v2_service.function]
}
