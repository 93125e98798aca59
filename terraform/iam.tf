# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------

# Runs the function: reads findings, service config and logs; writes evidence.
resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = local.names.function_sa
  display_name = "Reverse Shell evidence function"
  description  = "Runtime identity of the ${local.names.service} Cloud Run service."

  depends_on = [google_project_service.enabled]
}

# Calls the service on behalf of Eventarc / Pub/Sub push (OIDC token identity).
# Kept separate so that the ability to invoke the service and the ability to
# read security data never sit on the same principal.
resource "google_service_account" "delivery" {
  project      = var.project_id
  account_id   = local.names.delivery_sa
  display_name = "Reverse Shell evidence delivery"
  description  = "Identity Eventarc / Pub/Sub push uses to invoke ${local.names.service}."

  depends_on = [google_project_service.enabled]
}

locals {
  # E-mails are spelled out from account_id (known at plan time) rather than
  # read from the computed .email, so plans - and the plan-only tests - show
  # the real members. A user-managed service account's e-mail is always
  # ACCOUNT_ID@PROJECT_ID.iam.gserviceaccount.com for the project ID shapes
  # var.project_id accepts. Referencing the resources keeps the dependency.
  function_sa_email     = "${google_service_account.function.account_id}@${var.project_id}.iam.gserviceaccount.com"
  function_sa_member    = "serviceAccount:${local.function_sa_email}"
  delivery_sa_email     = "${google_service_account.delivery.account_id}@${var.project_id}.iam.gserviceaccount.com"
  delivery_sa_member    = "serviceAccount:${local.delivery_sa_email}"
  pubsub_agent_member   = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  eventarc_agent_member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-eventarc.iam.gserviceaccount.com"

  # roles/run.viewer: read the affected service/revision configuration.
  # roles/logging.viewer: read the service's logs and admin-activity audit logs
  # around the event. (Data Access audit logs would need privateLogViewer,
  # deliberately not granted.)
  function_project_grants = {
    for pair in setproduct(local.evidence_projects, ["roles/run.viewer", "roles/logging.viewer"]) :
    "${pair[0]} ${pair[1]}" => { project = pair[0], role = pair[1] }
  }
}

# ---------------------------------------------------------------------------
# Function service account: read-only on security data, create+read on evidence
# ---------------------------------------------------------------------------

resource "google_project_iam_member" "function" {
  for_each = local.function_project_grants

  project = each.value.project
  role    = each.value.role
  member  = local.function_sa_member
}

# Lists related findings on the affected resource. Granted at the same scope as
# the notification config, so every finding it is notified about is readable.
resource "google_organization_iam_member" "function_findings_viewer" {
  count = local.org_scope ? 1 : 0

  org_id = var.organization_id
  role   = "roles/securitycenter.findingsViewer"
  member = local.function_sa_member
}

resource "google_project_iam_member" "function_findings_viewer" {
  count = local.org_scope ? 0 : 1

  project = var.project_id
  role    = "roles/securitycenter.findingsViewer"
  member  = local.function_sa_member
}

# Evidence is written create-only and read back (dedupe / index lookups).
# Deliberately no objectAdmin / objectUser: the function can never delete or
# overwrite evidence, even where the retention policy would allow it.
resource "google_storage_bucket_iam_member" "function" {
  for_each = toset(["roles/storage.objectCreator", "roles/storage.objectViewer"])

  bucket = google_storage_bucket.evidence.name
  role   = each.value
  member = local.function_sa_member
}

# Only the one secret holding the redaction HMAC key, not project-wide access.
resource "google_secret_manager_secret_iam_member" "function_redaction_key" {
  count = var.redaction_key_secret_id == null ? 0 : 1

  project   = var.project_id
  secret_id = var.redaction_key_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.function_sa_member
}

# ---------------------------------------------------------------------------
# Delivery service account: may invoke this one service, nothing else
# ---------------------------------------------------------------------------

resource "google_cloud_run_v2_service_iam_member" "delivery_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.function.name
  role     = "roles/run.invoker"
  member   = local.delivery_sa_member
}

# The Pub/Sub service agent mints the OIDC token sent with each push (the
# Eventarc trigger's subscription is a push subscription too). Projects whose
# agent predates 2021-04-08 need this grant explicitly; newer ones have it
# implicitly. Scoped to the delivery SA, which can only invoke this service.
resource "google_service_account_iam_member" "pubsub_agent_token_creator" {
  service_account_id = google_service_account.delivery.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent_member

  # The agent must exist (service_agents.tf) before it can be named in a binding.
  depends_on = [time_sleep.service_agents]
}
