# Plan-only checks of an organization-scoped deployment with two categories.
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
  project_id                      = "rsf-test-project"
  region                          = "europe-west1"
  image                           = "europe-west1-docker.pkg.dev/rsf-test-project/images/reverse-shell-function:1.0.0"
  bucket_name                     = "rsf-test-evidence"
  bucket_location                 = "EU"
  retention_period_days           = 30
  organization_id                 = "123456789"
  additional_evidence_project_ids = ["rsf-workload-project"]
  categories                      = ["Reverse Shell", "Unexpected Child Shell"]
}

run "notification_config_is_org_scoped" {
  command = plan

  assert {
    condition     = length(google_scc_v2_organization_notification_config.this) == 1 && length(google_scc_v2_project_notification_config.this) == 0
    error_message = "With organization_id exactly one organization-level notification config is expected."
  }

  assert {
    condition     = google_scc_v2_organization_notification_config.this[0].organization == "123456789"
    error_message = "The config must be created in the given organization."
  }

  assert {
    condition     = google_scc_v2_organization_notification_config.this[0].streaming_config[0].filter == "(category=\"Reverse Shell\" OR category=\"Unexpected Child Shell\") AND state=\"ACTIVE\""
    error_message = "Several categories must be OR-ed in parentheses and AND-ed with state=\"ACTIVE\"."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "COLLECT_CATEGORIES"]) == "Reverse Shell,Unexpected Child Shell"
    error_message = "COLLECT_CATEGORIES must be the comma-joined categories."
  }
}

run "findings_viewer_follows_the_scope" {
  command = plan

  assert {
    condition = (
      length(google_organization_iam_member.function_findings_viewer) == 1
      && google_organization_iam_member.function_findings_viewer[0].org_id == "123456789"
      && google_organization_iam_member.function_findings_viewer[0].role == "roles/securitycenter.findingsViewer"
      && google_organization_iam_member.function_findings_viewer[0].member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"
    )
    error_message = "findingsViewer must be granted to the function SA on the organization."
  }

  assert {
    condition     = length(google_project_iam_member.function_findings_viewer) == 0
    error_message = "No project-level findingsViewer grant is expected at organization scope."
  }

  assert {
    condition     = one([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e.value if e.name == "SCC_SCOPE"]) == "organization"
    error_message = "SCC_SCOPE must be organization: the function lists findings where its grant is."
  }

  assert {
    condition = toset([for g in google_project_iam_member.function : "${g.project} ${g.role}"]) == toset([
      "rsf-test-project roles/run.viewer",
      "rsf-test-project roles/logging.viewer",
      "rsf-workload-project roles/run.viewer",
      "rsf-workload-project roles/logging.viewer",
    ])
    error_message = "run.viewer and logging.viewer must be granted in project_id and each additional evidence project, nothing more."
  }

  assert {
    condition     = alltrue([for g in google_project_iam_member.function : g.member == "serviceAccount:reverse-shell-function@rsf-test-project.iam.gserviceaccount.com"])
    error_message = "The project grants must go to the function SA."
  }
}

run "data_residency_location" {
  command = plan

  variables {
    scc_location = "eu"
  }

  assert {
    condition     = google_scc_v2_organization_notification_config.this[0].location == "eu"
    error_message = "The notification config must live in scc_location."
  }

  # The function routes each finding to its own location's host (securitycenter.LOCATION.rep.googleapis.com);
  # one fixed SCC_API_ENDPOINT would send findings of every other location to the wrong host.
  assert {
    condition     = length([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e if e.name == "SCC_API_ENDPOINT"]) == 0
    error_message = "Terraform must not set SCC_API_ENDPOINT: the function picks each finding's regional host itself."
  }
}

run "global_location_uses_the_global_endpoint" {
  command = plan

  assert {
    condition     = length([for e in google_cloud_run_v2_service.function.template[0].containers[0].env : e if e.name == "SCC_API_ENDPOINT"]) == 0
    error_message = "With scc_location = global the function keeps its default SCC endpoint."
  }
}
