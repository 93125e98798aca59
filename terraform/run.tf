resource "google_cloud_run_v2_service" "function" {
  project  = var.project_id
  name     = local.names.service
  location = var.region
  labels   = local.labels

  # Only Eventarc / Pub/Sub of this project (and VPC sources) can reach the URL;
  # IAM (roles/run.invoker on the delivery SA) is enforced on top.
  ingress = "INGRESS_TRAFFIC_INTERNAL_ONLY"

  # Keep the IAM invoker check. Never grant allUsers / allAuthenticatedUsers.
  invoker_iam_disabled = false

  deletion_protection = var.deletion_protection

  template {
    service_account = local.function_sa_email
    # Cloud Run Threat Detection only watches gen2 services; a security tool
    # should not be the one unmonitored workload.
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = var.max_instance_request_concurrency
    timeout                          = "${var.timeout_seconds}s"
    labels                           = local.labels

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # All work happens inside the request, so CPU may be throttled between
        # requests; the boost shortens .NET cold starts.
        cpu_idle          = true
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = merge(local.function_env, local.custody_env)
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.redaction_key_secret_id == null ? [] : [var.redaction_key_secret_id]
        content {
          name = "REDACTION_HMAC_KEY"
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.min_instances <= var.max_instances
      error_message = "min_instances must not exceed max_instances."
    }
    precondition {
      condition     = var.collection_deadline_seconds < var.timeout_seconds
      error_message = "collection_deadline_seconds must be below timeout_seconds, or requests are cut off before the bundle is written."
    }
    precondition {
      # Cloud Run's minimums: 512 MiB for the gen2 environment, 2 GiB with 4 vCPUs, 4 GiB with 6 or 8.
      condition     = local.memory_mib >= max(512, lookup({ "4" = 2048, "6" = 4096, "8" = 4096 }, var.cpu, 0))
      error_message = "memory is below Cloud Run's minimum for this cpu: 512Mi on gen2, 2Gi with cpu 4, 4Gi with cpu 6 or 8."
    }
  }

  depends_on = [
    google_project_service.enabled,
    # Grants first, so the first revision does not start without its permissions
    # (the secret grant is required for the revision to become ready at all).
    google_project_iam_member.function,
    google_storage_bucket_iam_member.function,
    google_secret_manager_secret_iam_member.function_redaction_key,
    # Sealing reads the bucket's protection (storage.buckets.get) and signs with the custody key: without these
    # two grants a finding that arrives during the first apply is stored with its seal "failed".
    google_storage_bucket_iam_member.function_bucket_reader,
    google_kms_crypto_key_iam_member.custody_signer,
    # Completion tasks are created by this service and call it back: queue and grants before the first revision.
    google_cloud_tasks_queue_iam_member.function_enqueuer,
    google_service_account_iam_member.function_acts_as_delivery,
  ]
}

locals {
  memory_mib = endswith(var.memory, "Gi") ? tonumber(trimsuffix(var.memory, "Gi")) * 1024 : tonumber(trimsuffix(var.memory, "Mi"))
}
