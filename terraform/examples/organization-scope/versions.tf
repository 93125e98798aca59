terraform {
  required_version = ">= 1.7.0"

  # The same ranges as the module (../../versions.tf).
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50, < 8"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.50, < 8"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1"
    }
  }

  # Keep the state somewhere shared and versioned before the first apply in a real environment, e.g.
  # backend "gcs" { bucket = "TFSTATE_BUCKET" prefix = "reverse-shell-evidence" }
}

provider "google" {
  project = var.project_id
  region  = var.region

  # Under data residency only the location's own endpoint serves its SCC v2 notification configs; the
  # provider has no per-resource endpoint, so the whole SCC v2 API of this provider goes there.
  security_center_v2_custom_endpoint = var.scc_location == "global" ? null : "https://securitycenter.${var.scc_location}.rep.googleapis.com/v2/"
}

# Only for the service agents the module creates (google_project_service_identity).
provider "google-beta" {
  project = var.project_id
  region  = var.region
}
