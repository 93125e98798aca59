# Plan-only checks of the default deployment (project scope, Eventarc delivery).
#
# Written for Terraform >= 1.7 (mock providers). Up to 1.10 a mocked resource's
# computed attributes are unknown during plan, so every assertion here uses
# values known at plan time; the configuration spells service account e-mails
# and the dead-letter topic path out for exactly that reason. Computed values
# (service URI, SCC service agent, Eventarc subscription) are checked in
# mocked_apply.tftest.hcl.

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

run "service_is_internal_gen2_and_authenticated" {
  command = plan

  assert {
    condition     = google_cloud_run_v2_service.function.ingress == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    error_message = "The service must only accept internal traffic."
  }

  assert {
    condition     = google_cloud_run_v2_service.function.invoker_iam_disabled == false
    error_message = "The Cloud Run invoker IAM check must stay enabled."
  }

  assert {
    condition     = google_cloud_run_v2_service.function.template[0].execution_environment == "EXECUTION_ENVIRONMENT_GEN2"
    error_message = "The service must run on the gen2 execution environment."
  }

  assert {
    condition     = google_cloud_run_v2_service.function.template[0].service_account == "reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    error_message = "The service must run as the function service account."
  }

  assert {
    condition     = google_cloud_run_v2_service.function.deletion_protection == true
    error_message = "deletion_protection must default to true."
  }

  assert {
    condition     = google_cloud_run_v2_service.function.template[0].containers[0].ports[0].container_port == 8080
    error_message = "The container must listen on 8080."
  }

  assert {
    condition = (
      google_cloud_run_v2_service.function.template[0].containers[0].resources[0].limits["cpu"] == "1"
      && google_cloud_run_v2_service.function.template[0].containers[0].resources[0].limits["memory"] == "2Gi"
      && google_cloud_run_v2_service.function.template[0].timeout == "300s"
      && google_cloud_run_v2_service.function.template[0].max_instance_request_concurrency == 4
      && google_cloud_run_v2_service.function.template[0].scaling[0].min_instance_count == 0
      && google_cloud_run_v2_service.function.template[0].scaling[0].max_instance_count == 10
    )
    error_message = "Cloud Run defaults (cpu 1, 2Gi, 300s, concurrency 4, 0-10 instances) are not applied."
  }
}

run "container_environment" {
  command = plan

  assert {
    condition = toset([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.name]) == toset([
      "EVIDENCE_BUCKET",
      "GOOGLE_CLOUD_PROJECT",
      "COLLECT_CATEGORIES",
      "COLLECT_MUTED",
      "RELATED_WINDOW_MINUTES",
      "LOG_WINDOW_BEFORE_MINUTES",
      "LOG_WINDOW_AFTER_MINUTES",
      "AUDIT_WINDOW_DAYS",
      "COLLECTION_DEADLINE_SECONDS",
      "DELIVERY_BUDGET_SECONDS",
      "REQUEST_TIMEOUT_SECONDS",
      "LOG_MAX_ENTRIES",
      "LOG_MAX_BYTES",
      "RELATED_MAX_FINDINGS",
      "COMPLETION_GIVE_UP_HOURS",
      "SCC_SCOPE",
      "KMS_KEY_VERSION",
      "COMPLETION_QUEUE",
      "COMPLETION_URL",
      "COMPLETION_SERVICE_ACCOUNT",
    ])
    error_message = "The container must get exactly the documented variables (no REDACTION_HMAC_KEY without a secret)."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "REQUEST_TIMEOUT_SECONDS"]) == "300" && google_cloud_run_v2_service.function.template[0].timeout == "300s"
    error_message = "REQUEST_TIMEOUT_SECONDS must be the service's own timeout (300 s by default): each completion task's dispatchDeadline."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "EVIDENCE_BUCKET"]) == "rsf-test-evidence"
    error_message = "EVIDENCE_BUCKET must be the bucket name."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "GOOGLE_CLOUD_PROJECT"]) == "rsf-test-project"
    error_message = "GOOGLE_CLOUD_PROJECT must be project_id, so log lines carry the trace."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "COLLECT_CATEGORIES"]) == "Reverse Shell"
    error_message = "COLLECT_CATEGORIES must default to Reverse Shell."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "COLLECT_MUTED"]) == "false"
    error_message = "COLLECT_MUTED must default to \"false\"."
  }

  assert {
    condition = (
      one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "RELATED_WINDOW_MINUTES"]) == "60"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "LOG_WINDOW_BEFORE_MINUTES"]) == "30"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "LOG_WINDOW_AFTER_MINUTES"]) == "5"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "AUDIT_WINDOW_DAYS"]) == "7"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "COLLECTION_DEADLINE_SECONDS"]) == "45"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "LOG_MAX_ENTRIES"]) == "10000"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "LOG_MAX_BYTES"]) == "52428800"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "RELATED_MAX_FINDINGS"]) == "500"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "COMPLETION_GIVE_UP_HOURS"]) == "24"
      && one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "SCC_SCOPE"]) == "project"
    )
    error_message = "Collector windows and caps must be passed with their documented defaults."
  }
}

run "evidence_bucket_is_private_and_retained" {
  command = plan

  assert {
    condition     = google_storage_bucket.evidence.uniform_bucket_level_access == true
    error_message = "Uniform bucket-level access must be on."
  }

  assert {
    condition     = google_storage_bucket.evidence.public_access_prevention == "enforced"
    error_message = "Public access prevention must be enforced."
  }

  assert {
    condition     = google_storage_bucket.evidence.force_destroy == false
    error_message = "Terraform must never force-destroy the evidence bucket."
  }

  assert {
    condition     = google_storage_bucket.evidence.retention_policy[0].is_locked == false
    error_message = "lock_retention must default to false (locking is irreversible)."
  }

  assert {
    # tostring: a number in provider 6.x, a string from 7.0; the same text in both.
    condition     = tostring(google_storage_bucket.evidence.retention_policy[0].retention_period) == "2592000"
    error_message = "retention_period must be retention_period_days in seconds."
  }

  assert {
    condition     = google_storage_bucket.evidence.soft_delete_policy[0].retention_duration_seconds == 604800
    error_message = "Soft delete must default to 7 days."
  }

  assert {
    condition     = length(google_storage_bucket.evidence.encryption) == 0 && length(google_kms_crypto_key_iam_member.gcs_cmek) == 0
    error_message = "No CMEK configuration is expected without kms_key_name."
  }

  assert {
    condition     = length(google_storage_bucket.evidence.lifecycle_rule) == 0
    error_message = "No lifecycle rule is expected without object_expiry_days."
  }
}

run "notification_config_is_project_scoped_with_exact_filter" {
  command = plan

  assert {
    condition     = length(google_scc_v2_project_notification_config.this) == 1 && length(google_scc_v2_organization_notification_config.this) == 0
    error_message = "Without organization_id exactly one project-level notification config is expected."
  }

  assert {
    condition     = google_scc_v2_project_notification_config.this[0].streaming_config[0].filter == "category=\"Reverse Shell\" AND state=\"ACTIVE\""
    error_message = "The notification filter must be exactly: category=\"Reverse Shell\" AND state=\"ACTIVE\"."
  }

  assert {
    condition     = google_scc_v2_project_notification_config.this[0].location == "global" && google_scc_v2_project_notification_config.this[0].project == "rsf-test-project"
    error_message = "The config must live in project_id, location global by default."
  }
}

run "eventarc_is_the_default_delivery" {
  command = plan

  assert {
    condition     = length(google_eventarc_trigger.delivery) == 1
    error_message = "Eventarc mode must create the trigger."
  }

  assert {
    condition = (
      length(google_pubsub_subscription.push) == 0
      && length(google_pubsub_topic.dead_letter) == 0
      && length(google_pubsub_subscription.dead_letter_retained) == 0
      && length(google_monitoring_alert_policy.dead_letters) == 0
    )
    error_message = "Eventarc mode must not create push-mode resources."
  }

  assert {
    condition = (
      length(google_eventarc_trigger.delivery[0].matching_criteria) == 1
      && alltrue([
        for m in google_eventarc_trigger.delivery[0].matching_criteria :
        m.attribute == "type" && m.value == "google.cloud.pubsub.topic.v1.messagePublished"
      ])
    )
    error_message = "The trigger must match only Pub/Sub messagePublished events."
  }

  assert {
    condition = (
      google_eventarc_trigger.delivery[0].destination[0].cloud_run_service[0].service == "reverse-shell-function"
      && google_eventarc_trigger.delivery[0].destination[0].cloud_run_service[0].region == "europe-west1"
      && google_eventarc_trigger.delivery[0].destination[0].cloud_run_service[0].path == "/"
    )
    error_message = "The trigger must deliver to / of the function service in its region."
  }

  assert {
    condition     = google_eventarc_trigger.delivery[0].service_account == "reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com"
    error_message = "The trigger must use the delivery service account."
  }

  assert {
    condition     = output.dead_letter_topic == null
    error_message = "dead_letter_topic must be null in eventarc mode."
  }
}

run "iam_is_least_privilege" {
  command = plan

  # Every IAM member resource except the SCC publisher grant, whose member
  # (the config's service agent) is only known after apply.
  assert {
    condition = alltrue([
      for m in flatten([
        [for g in google_project_iam_member.function : g.member],
        [for g in google_project_iam_member.function_findings_viewer : g.member],
        [for g in google_organization_iam_member.function_findings_viewer : g.member],
        [for g in google_storage_bucket_iam_member.function : g.member],
        [for g in google_secret_manager_secret_iam_member.function_redaction_key : g.member],
        [for g in google_kms_crypto_key_iam_member.gcs_cmek : g.member],
        [google_cloud_run_v2_service_iam_member.delivery_invoker.member],
        [google_service_account_iam_member.pubsub_agent_token_creator.member],
        [for g in google_pubsub_topic_iam_member.dead_letter_publisher : g.member],
        [for g in google_pubsub_subscription_iam_member.push_subscriber : g.member],
        [for g in google_project_iam_member.service_agents : g.member],
        [for g in google_kms_crypto_key_iam_member.pubsub_cmek : g.member],
        [for g in google_cloud_tasks_queue_iam_member.function_enqueuer : g.member],
        [for g in google_service_account_iam_member.function_acts_as_delivery : g.member],
      ]) : !contains(["allUsers", "allAuthenticatedUsers"], m) && startswith(m, "serviceAccount:")
    ])
    error_message = "Only service accounts may be granted roles; never allUsers or allAuthenticatedUsers."
  }

  # The function SA's grants live in these five resources only ...
  assert {
    condition = alltrue([
      for m in flatten([
        [for g in google_project_iam_member.function : g.member],
        [for g in google_project_iam_member.function_findings_viewer : g.member],
        [for g in google_organization_iam_member.function_findings_viewer : g.member],
        [for g in google_storage_bucket_iam_member.function : g.member],
        [for g in google_secret_manager_secret_iam_member.function_redaction_key : g.member],
      ]) : m == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    ])
    error_message = "The function grants must all go to the function service account."
  }

  # ... no other grant names it ...
  assert {
    condition = !contains(flatten([
      [google_cloud_run_v2_service_iam_member.delivery_invoker.member],
      [google_service_account_iam_member.pubsub_agent_token_creator.member],
      [for g in google_kms_crypto_key_iam_member.gcs_cmek : g.member],
      [for g in google_pubsub_topic_iam_member.dead_letter_publisher : g.member],
      [for g in google_pubsub_subscription_iam_member.push_subscriber : g.member],
      [for g in google_project_iam_member.service_agents : g.member],
    ]), "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com")
    error_message = "No other grant may name the function service account."
  }

  # ... so these are exactly its roles.
  assert {
    condition = toset(flatten([
      [for g in google_project_iam_member.function : g.role],
      [for g in google_project_iam_member.function_findings_viewer : g.role],
      [for g in google_organization_iam_member.function_findings_viewer : g.role],
      [for g in google_storage_bucket_iam_member.function : g.role],
      [for g in google_secret_manager_secret_iam_member.function_redaction_key : g.role],
      ])) == toset([
      "roles/securitycenter.findingsViewer",
      "roles/run.viewer",
      "roles/logging.viewer",
      "roles/storage.objectCreator",
      "roles/storage.objectViewer",
    ])
    error_message = "The function SA must hold exactly findingsViewer, run.viewer, logging.viewer, objectCreator and objectViewer."
  }

  assert {
    condition = alltrue(concat(
      [for g in google_project_iam_member.function : g.project == "rsf-test-project"],
      [for g in google_project_iam_member.function_findings_viewer : g.project == "rsf-test-project"],
    ))
    error_message = "Project-level grants of the function SA belong on project_id only."
  }

  assert {
    condition     = alltrue([for g in google_storage_bucket_iam_member.function : g.bucket == "rsf-test-evidence"])
    error_message = "Storage roles must be granted on the evidence bucket, not the project."
  }

  assert {
    condition = (
      google_cloud_run_v2_service_iam_member.delivery_invoker.role == "roles/run.invoker"
      && google_cloud_run_v2_service_iam_member.delivery_invoker.member == "serviceAccount:reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com"
      && google_cloud_run_v2_service_iam_member.delivery_invoker.name == "reverse-shell-function"
    )
    error_message = "The delivery SA must be run.invoker on the function service."
  }

  assert {
    condition = (
      google_service_account_iam_member.pubsub_agent_token_creator.role == "roles/iam.serviceAccountTokenCreator"
      && google_service_account_iam_member.pubsub_agent_token_creator.member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "The Pub/Sub service agent must be able to mint tokens for the delivery SA."
  }
}

run "alerts_exist" {
  command = plan

  assert {
    condition = alltrue([
      strcontains(google_monitoring_alert_policy.service_5xx.conditions[0].condition_threshold[0].filter, "metric.type = \"run.googleapis.com/request_count\""),
      strcontains(google_monitoring_alert_policy.service_5xx.conditions[0].condition_threshold[0].filter, "metric.labels.response_code_class = \"5xx\""),
      strcontains(google_monitoring_alert_policy.service_5xx.conditions[0].condition_threshold[0].filter, "resource.labels.service_name = \"reverse-shell-function\""),
    ])
    error_message = "The 5xx alert must watch request_count of this service with response_code_class 5xx."
  }

  assert {
    condition     = google_monitoring_alert_policy.delivery_backlog.display_name == "reverse-shell-function: findings waiting for delivery"
    error_message = "The backlog alert must exist in eventarc mode."
  }
}

run "service_agents_exist_before_the_resources_that_need_them" {
  command = plan

  assert {
    condition     = toset(keys(google_project_service_identity.agents)) == toset(["pubsub.googleapis.com", "eventarc.googleapis.com"])
    error_message = "Eventarc mode must create the Pub/Sub and Eventarc service agents explicitly."
  }

  assert {
    condition = (
      google_project_iam_member.service_agents["eventarc.googleapis.com"].role == "roles/eventarc.serviceAgent"
      && google_project_iam_member.service_agents["eventarc.googleapis.com"].member == "serviceAccount:service-123456789012@gcp-sa-eventarc.iam.gserviceaccount.com"
      && google_project_iam_member.service_agents["pubsub.googleapis.com"].role == "roles/pubsub.serviceAgent"
      && google_project_iam_member.service_agents["pubsub.googleapis.com"].member == "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    error_message = "Agents created through the API must get the role Google grants a lazily created agent."
  }

  assert {
    condition     = time_sleep.service_agents.create_duration == "120s"
    error_message = "The first apply must wait service_agent_wait_seconds (default 120) for the grants to propagate."
  }
}

run "evidence_reads_are_audited" {
  command = plan

  assert {
    condition = (
      length(google_project_iam_audit_config.storage_data_read) == 1
      && google_project_iam_audit_config.storage_data_read[0].service == "storage.googleapis.com"
      && google_project_iam_audit_config.storage_data_read[0].project == "rsf-test-project"
      && [for c in google_project_iam_audit_config.storage_data_read[0].audit_log_config : c.log_type] == ["DATA_READ"]
    )
    error_message = "Cloud Storage DATA_READ audit logs must be on in project_id by default."
  }
}

run "outputs_known_at_plan" {
  command = plan

  assert {
    condition = (
      output.service_name == "reverse-shell-function"
      && output.bucket == "rsf-test-evidence"
      && output.function_service_account_member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
      && output.delivery_service_account_member == "serviceAccount:reverse-shell-delivery@rsf-test-project.iam.gserviceaccount.com"
      && output.dead_letter_subscription == null
      && toset(keys(output.alert_policy_ids)) == toset(["delivery_backlog", "service_5xx"])
    )
    error_message = "Outputs must name the service, bucket and member strings; no dead-letter subscription in eventarc mode."
  }
}

run "audit_logs_can_be_left_to_the_organization" {
  command = plan

  variables {
    storage_data_read_audit_logs = false
  }

  assert {
    condition     = length(google_project_iam_audit_config.storage_data_read) == 0
    error_message = "storage_data_read_audit_logs = false must leave the project's audit config alone."
  }
}
