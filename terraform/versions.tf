terraform {
  # 1.7 is the first release with mock providers, which the tests in tests/ rely on.
  required_version = ">= 1.7.0"

  # No provider blocks here: the caller configures the providers (see examples/), so this module can be used
  # with count, for_each and depends_on.
  required_providers {
    google = {
      source = "hashicorp/google"
      # Checked against the 6.50 schema (../shared/tools/tfcheck) and the 7.0 upgrade guide: of the 7.0
      # breaking changes only google_storage_bucket.retention_period (number -> string) touches this module,
      # and both the configuration and tests/ are written to hold on either type. Re-check before 8.x.
      version = ">= 6.50, < 8"
    }
    # Only for google_project_service_identity (service_agents.tf), which exists in google-beta alone.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.50, < 8"
    }
    # time_sleep: waits for service agent grants to propagate before the resources that use them.
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1"
    }
  }
}
