# Bad inputs must be rejected at plan time. Each run breaks exactly one input.

mock_provider "google" {
  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }
}

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

run "rejects_min_above_max_instances" {
  command = plan
  variables {
    min_instances = 5
    max_instances = 2
  }
  expect_failures = [google_cloud_run_v2_service.function]
}

run "rejects_deadline_not_below_ack_deadline" {
  command = plan
  variables {
    delivery_mode        = "push"
    ack_deadline_seconds = 30
  }
  expect_failures = [google_pubsub_subscription.push]
}

run "rejects_expiry_shorter_than_retention" {
  command = plan
  variables {
    object_expiry_days = 10
  }
  expect_failures = [google_storage_bucket.evidence]
}
