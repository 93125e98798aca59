terraform {
  # 1.7 is the first release with mock providers, which the tests in tests/ rely on.
  required_version = ">= 1.7.0"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.50 is the schema this configuration was checked against; 7.x is not
      # known to break anything used here. Re-check before allowing 8.x.
      version = ">= 6.50, < 8"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
