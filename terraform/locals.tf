locals {
  # Scope of the SCC notification config and of the findings viewer grant.
  org_scope = var.organization_id != null

  eventarc_mode = var.delivery_mode == "eventarc"
  push_mode     = var.delivery_mode == "push"

  names = {
    service          = "${var.name_prefix}-function"
    function_sa      = "${var.name_prefix}-function"
    delivery_sa      = "${var.name_prefix}-delivery"
    findings_topic   = "${var.name_prefix}-findings"
    config_id        = "${var.name_prefix}-findings"
    trigger          = "${var.name_prefix}-findings"
    push_sub         = "${var.name_prefix}-push"
    dead_letter      = "${var.name_prefix}-dead-letter"
    dead_letter_keep = "${var.name_prefix}-dead-letter-retained"
    completion_queue = "${var.name_prefix}-completions"
  }

  labels = merge(var.labels, {
    app = "reverse-shell-function"
  })

  # SCC filter syntax: for the single default category this is exactly
  #   category="Reverse Shell" AND state="ACTIVE"
  # With several categories they are OR-ed inside parentheses. (OR already binds
  # tighter than AND in this language; the parentheses are there for humans.)
  category_terms = [for c in var.categories : "category=\"${c}\""]
  category_clause = (
    length(local.category_terms) == 1
    ? local.category_terms[0]
    : "(${join(" OR ", local.category_terms)})"
  )
  notification_filter = "${local.category_clause} AND state=\"ACTIVE\""

  # Projects whose Cloud Run configuration and logs the collectors may read.
  evidence_projects = toset(concat([var.project_id], var.additional_evidence_project_ids))

  # Literal environment for the container. REDACTION_HMAC_KEY is added separately
  # in run.tf because it comes from Secret Manager, never as a literal. Every name
  # here is a setting of the app's catalog, and every number is passed from the
  # variable whose validation repeats the app's limits (a test checks both).
  function_env = merge({
    EVIDENCE_BUCKET             = google_storage_bucket.evidence.name
    GOOGLE_CLOUD_PROJECT        = var.project_id
    COLLECT_CATEGORIES          = join(",", var.categories)
    COLLECT_MUTED               = var.collect_muted ? "true" : "false"
    RELATED_WINDOW_MINUTES      = tostring(var.related_window_minutes)
    LOG_WINDOW_BEFORE_MINUTES   = tostring(var.log_window_before_minutes)
    LOG_WINDOW_AFTER_MINUTES    = tostring(var.log_window_after_minutes)
    AUDIT_WINDOW_DAYS           = tostring(var.audit_window_days)
    COLLECTION_DEADLINE_SECONDS = tostring(var.collection_deadline_seconds)
    DELIVERY_BUDGET_SECONDS     = tostring(var.delivery_budget_seconds)
    REQUEST_TIMEOUT_SECONDS     = tostring(var.timeout_seconds)
    LOG_MAX_ENTRIES             = tostring(var.log_max_entries)
    LOG_MAX_BYTES               = tostring(var.log_max_bytes)
    RELATED_MAX_FINDINGS        = tostring(var.related_max_findings)
    COMPLETION_GIVE_UP_HOURS    = tostring(var.completion_give_up_hours)
    # Findings are listed where the findingsViewer grant is (iam.tf): the organization or the project.
    SCC_SCOPE = local.org_scope ? "organization" : "project"
    },
    # No SCC_API_ENDPOINT: the function sends each finding's reads and marks to the host of that finding's own
    # location (securitycenter.LOCATION.rep.googleapis.com, or the global host), whatever scc_location is.
    local.notify_env,
    local.completion_env,
  )
}
