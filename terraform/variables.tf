# ---------------------------------------------------------------------------
# Where to deploy
# ---------------------------------------------------------------------------

variable "project_id" {
  description = "ID of the project that hosts the function, bucket, topic and alerts."
  type        = string

  validation {
    # Also rules out legacy domain-scoped IDs ("example.com:proj"), whose service
    # account e-mails do not follow ACCOUNT@PROJECT.iam.gserviceaccount.com;
    # iam.tf builds e-mails that way.
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region for Cloud Run and the Eventarc trigger, e.g. \"europe-west1\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must look like \"europe-west1\" or \"us-central1\" (a region, not a zone or multi-region)."
  }
}

variable "organization_id" {
  description = <<-EOT
    Numeric organization ID. When set, the SCC notification config is created at
    organization level (every project's findings) and the function may list
    findings organization-wide. When null (default), both are scoped to project_id.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^[0-9]{1,20}$", var.organization_id))
    error_message = "organization_id must be the numeric organization ID (digits only, no \"organizations/\" prefix), or null."
  }
}

variable "additional_evidence_project_ids" {
  description = <<-EOT
    Extra projects in which the function SA gets roles/run.viewer and
    roles/logging.viewer, so the collectors can read the affected service's
    configuration and logs there. Only useful with organization_id set: a
    project-scoped deployment only sees findings of project_id itself.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.additional_evidence_project_ids : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", p))])
    error_message = "Every entry of additional_evidence_project_ids must be a project ID."
  }
}

variable "name_prefix" {
  description = "Prefix for every resource name (service, service accounts, topics, trigger). 2-20 characters."
  type        = string
  default     = "reverse-shell"

  validation {
    # 20 characters keeps "<prefix>-function" within the 30-character limit of
    # service account IDs.
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-20 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "labels" {
  description = "Labels added to the resources that support them (an \"app\" label is always added)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.labels :
      can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))
    ])
    error_message = "Label keys must start with a lowercase letter; keys and values may only use lowercase letters, digits, \"_\" and \"-\" (max 63 characters)."
  }
}

variable "manage_project_services" {
  description = <<-EOT
    Enable the APIs this deployment needs (google_project_service, never disabled
    on destroy). Set false where API enablement is owned elsewhere; the list is in
    README.md.
  EOT
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# Container
# ---------------------------------------------------------------------------

variable "image" {
  description = "Container image, e.g. \"europe-west1-docker.pkg.dev/PROJECT/REPO/reverse-shell-function:1.0.0\". Prefer an @sha256 digest."
  type        = string

  validation {
    condition     = length(trimspace(var.image)) > 0 && !can(regex("\\s", var.image))
    error_message = "image must be a non-empty image reference without whitespace."
  }
}

# ---------------------------------------------------------------------------
# Evidence bucket
# ---------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the evidence bucket to create (globally unique)."
  type        = string

  validation {
    condition = (
      can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.bucket_name))
      && !startswith(var.bucket_name, "goog")
      && !strcontains(var.bucket_name, "google")
      && !strcontains(var.bucket_name, "..")
    )
    error_message = "bucket_name must be 3-63 characters of lowercase letters, digits, \"-\", \"_\" and \".\", start and end with a letter or digit, and must not start with \"goog\" or contain \"google\"."
  }
}

variable "bucket_location" {
  description = "Bucket location: a region (\"europe-west1\"), dual-region or multi-region (\"EU\"). A CMEK key must be in a matching location."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.bucket_location))
    error_message = "bucket_location must be a location name such as \"EU\", \"US\" or \"europe-west1\"."
  }
}

variable "retention_period_days" {
  description = "Bucket retention policy: no evidence object can be deleted or replaced until it is this many days old."
  type        = number

  validation {
    # Cloud Storage caps retention at about 100 years (3,155,760,000 s).
    condition     = var.retention_period_days >= 1 && var.retention_period_days <= 36500 && floor(var.retention_period_days) == var.retention_period_days
    error_message = "retention_period_days must be a whole number from 1 to 36500."
  }
}

variable "lock_retention" {
  description = <<-EOT
    !!! IRREVERSIBLE !!! true LOCKS the bucket's retention policy. A locked policy
    can never be removed, unlocked or shortened (only lengthened), and the bucket
    can only be deleted once every object in it has reached retention_period_days.
    Setting this back to false does not unlock anything; it only makes later
    applies fail. Leave false until the retention period has been agreed with
    legal/compliance, then flip it in a separate, reviewed change.
  EOT
  type        = bool
  default     = false
}

variable "soft_delete_retention_days" {
  description = "Soft-delete window for deleted objects, in days: 0 disables soft delete, otherwise 7-90."
  type        = number
  default     = 7

  validation {
    condition     = var.soft_delete_retention_days == 0 || (var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90)
    error_message = "soft_delete_retention_days must be 0 or between 7 and 90."
  }
}

variable "object_expiry_days" {
  description = "Optional lifecycle rule: delete evidence objects this many days after creation. null (default) keeps them forever. Must not be shorter than retention_period_days."
  type        = number
  default     = null

  validation {
    condition     = var.object_expiry_days == null || try(var.object_expiry_days >= 1, false)
    error_message = "object_expiry_days must be null or at least 1."
  }
}

variable "kms_key_name" {
  description = <<-EOT
    Optional Cloud KMS key for the bucket (CMEK), as
    projects/P/locations/L/keyRings/R/cryptoKeys/K. The Cloud Storage service
    agent of project_id is granted encrypter/decrypter on this key. null = Google-managed encryption.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be null or a full key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

# ---------------------------------------------------------------------------
# What to collect (passed to the function as environment variables)
# ---------------------------------------------------------------------------

variable "categories" {
  description = "SCC finding categories to subscribe to and collect for (COLLECT_CATEGORIES)."
  type        = list(string)
  default     = ["Reverse Shell"]

  validation {
    # Quotes and backslashes would break the SCC filter; commas would break the
    # comma-joined COLLECT_CATEGORIES value.
    condition     = length(var.categories) > 0 && alltrue([for c in var.categories : length(trimspace(c)) > 0 && !can(regex("[\",\\\\]", c))])
    error_message = "categories must be a non-empty list of non-empty names without double quotes, commas or backslashes."
  }
}

variable "collect_muted" {
  description = "Whether the function collects evidence for muted findings too (COLLECT_MUTED)."
  type        = bool
  default     = false
}

variable "related_window_minutes" {
  description = "Look for related findings on the same resource this many minutes around the event (RELATED_WINDOW_MINUTES)."
  type        = number
  default     = 60

  validation {
    condition     = var.related_window_minutes >= 1 && var.related_window_minutes <= 10080
    error_message = "related_window_minutes must be between 1 and 10080 (7 days)."
  }
}

variable "log_window_before_minutes" {
  description = "Collect service logs from this many minutes before the event (LOG_WINDOW_BEFORE_MINUTES)."
  type        = number
  default     = 30

  validation {
    condition     = var.log_window_before_minutes >= 0 && var.log_window_before_minutes <= 1440
    error_message = "log_window_before_minutes must be between 0 and 1440."
  }
}

variable "log_window_after_minutes" {
  description = "Collect service logs until this many minutes after the event (LOG_WINDOW_AFTER_MINUTES)."
  type        = number
  default     = 5

  validation {
    condition     = var.log_window_after_minutes >= 0 && var.log_window_after_minutes <= 1440
    error_message = "log_window_after_minutes must be between 0 and 1440."
  }
}

variable "audit_window_days" {
  description = "Collect admin-activity audit logs for the affected resource from this many days back (AUDIT_WINDOW_DAYS)."
  type        = number
  default     = 7

  validation {
    condition     = var.audit_window_days >= 0 && var.audit_window_days <= 400
    error_message = "audit_window_days must be between 0 and 400 (the admin-activity log retention)."
  }
}

variable "collection_deadline_seconds" {
  description = "Time budget for all collectors of one notification (COLLECTION_DEADLINE_SECONDS). Must be below timeout_seconds (and ack_deadline_seconds in push mode)."
  type        = number
  default     = 45

  validation {
    condition     = var.collection_deadline_seconds >= 5 && var.collection_deadline_seconds <= 3500
    error_message = "collection_deadline_seconds must be between 5 and 3500."
  }
}

variable "log_max_entries" {
  description = "Cap on log entries kept per bundle (LOG_MAX_ENTRIES)."
  type        = number
  default     = 10000

  validation {
    condition     = var.log_max_entries >= 1
    error_message = "log_max_entries must be at least 1."
  }
}

variable "log_max_bytes" {
  description = "Cap on the bytes of log data kept per bundle (LOG_MAX_BYTES)."
  type        = number
  default     = 52428800

  validation {
    condition     = var.log_max_bytes >= 1024
    error_message = "log_max_bytes must be at least 1024."
  }
}

variable "related_max_findings" {
  description = "Cap on related findings kept per bundle (RELATED_MAX_FINDINGS)."
  type        = number
  default     = 500

  validation {
    condition     = var.related_max_findings >= 0
    error_message = "related_max_findings must not be negative."
  }
}

variable "redaction_key_secret_id" {
  description = <<-EOT
    Optional existing Secret Manager secret holding the HMAC key used to
    fingerprint redacted environment values. Either a secret ID in project_id or
    projects/P/secrets/NAME. Passed as REDACTION_HMAC_KEY (version "latest"); the
    function SA gets secretAccessor on this secret only.
  EOT
  type        = string
  default     = null

  validation {
    condition = var.redaction_key_secret_id == null || can(regex(
      "^(projects/[a-z0-9-]+/secrets/)?[A-Za-z0-9_-]{1,255}$", var.redaction_key_secret_id
    ))
    error_message = "redaction_key_secret_id must be null, a secret ID, or projects/PROJECT/secrets/NAME."
  }
}

# ---------------------------------------------------------------------------
# Delivery: SCC topic -> Cloud Run
# ---------------------------------------------------------------------------

variable "delivery_mode" {
  description = <<-EOT
    "eventarc" (default): an Eventarc Pub/Sub trigger delivers to the service;
    Eventarc owns the subscription (no dead-letter topic, messages kept 24 h).
    "push": a push subscription managed here, with retry policy and a dead-letter
    topic whose messages are retained for 7 days.
  EOT
  type        = string
  default     = "eventarc"

  validation {
    condition     = contains(["eventarc", "push"], var.delivery_mode)
    error_message = "delivery_mode must be \"eventarc\" or \"push\"."
  }
}

variable "max_delivery_attempts" {
  description = "Push mode: delivery attempts before a message goes to the dead-letter topic (5-100)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100 && floor(var.max_delivery_attempts) == var.max_delivery_attempts
    error_message = "max_delivery_attempts must be a whole number from 5 to 100."
  }
}

variable "ack_deadline_seconds" {
  description = "Push mode: ack deadline, which for push is also the HTTP timeout of each delivery (10-600)."
  type        = number
  default     = 300

  validation {
    condition     = var.ack_deadline_seconds >= 10 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds must be between 10 and 600."
  }
}

# ---------------------------------------------------------------------------
# Cloud Run
# ---------------------------------------------------------------------------

variable "max_instance_request_concurrency" {
  description = "Concurrent requests per instance. Each delivery stages its evidence in /tmp, which Cloud Run keeps in memory: size memory for concurrency x (2 x log_max_bytes + the zip) in the worst case."
  type        = number
  default     = 4

  validation {
    condition     = var.max_instance_request_concurrency >= 1 && var.max_instance_request_concurrency <= 1000
    error_message = "max_instance_request_concurrency must be between 1 and 1000."
  }
}

variable "memory" {
  description = "Memory limit per instance, e.g. \"512Mi\" or \"2Gi\". Cloud Run's /tmp counts against it, and each in-flight delivery stages up to two capped log files and their zip there."
  type        = string
  default     = "2Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must be a quantity in Mi or Gi, e.g. \"512Mi\"."
  }
}

variable "cpu" {
  description = "CPU limit per instance, e.g. \"1\" or \"2\". Values below 1 require max_instance_request_concurrency = 1."
  type        = string
  default     = "1"

  validation {
    condition     = can(regex("^([0-9]+|[0-9]+m|[0-9]*\\.[0-9]+)$", var.cpu))
    error_message = "cpu must be a CPU quantity such as \"1\", \"2\", \"0.5\" or \"500m\"."
  }
}

variable "timeout_seconds" {
  description = "Request timeout of the service."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be between 1 and 3600."
  }
}

variable "min_instances" {
  description = "Minimum instances (0 = scale to zero)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0
    error_message = "min_instances must not be negative."
  }
}

variable "max_instances" {
  description = "Maximum instances."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1
    error_message = "max_instances must be at least 1."
  }
}

variable "deletion_protection" {
  description = "Cloud Run deletion protection. Must be set to false (and applied) before the service can be destroyed."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------

variable "notification_channels" {
  description = "Monitoring notification channel names (projects/P/notificationChannels/ID) for the alert policies. Empty = alerts only show in the console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", c))])
    error_message = "notification_channels entries must look like projects/PROJECT/notificationChannels/ID."
  }
}

variable "alert_backlog_age_seconds" {
  description = "Alert when the oldest undelivered notification is older than this. Keep it well under 24 h in eventarc mode: Eventarc's subscription drops messages after a day."
  type        = number
  default     = 1800

  validation {
    condition     = var.alert_backlog_age_seconds >= 60
    error_message = "alert_backlog_age_seconds must be at least 60."
  }
}

variable "alert_5xx_threshold" {
  description = "Alert when the service returns more than this many 5xx responses in 5 minutes (0 = any)."
  type        = number
  default     = 0

  validation {
    condition     = var.alert_5xx_threshold >= 0
    error_message = "alert_5xx_threshold must not be negative."
  }
}

# ---------------------------------------------------------------------------
# Chain of custody (custody.tf)
# ---------------------------------------------------------------------------

variable "custody_enabled" {
  description = "Sign every bundle part's manifest with a Cloud KMS key (key ring, key and IAM in custody.tf). On by default."
  type        = bool
  default     = true
}

variable "custody_key_ring_name" {
  description = "Name of the Cloud KMS key ring holding the manifest signing key. Key rings cannot be deleted."
  type        = string
  default     = "reverse-shell-evidence-custody"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,63}$", var.custody_key_ring_name))
    error_message = "custody_key_ring_name must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "custody_key_name" {
  description = "Name of the ASYMMETRIC_SIGN (EC_SIGN_P256_SHA256) crypto key."
  type        = string
  default     = "manifest-signing"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,63}$", var.custody_key_name))
    error_message = "custody_key_name must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "custody_key_version" {
  description = "The key version the function signs with (KMS_KEY_VERSION). After a rotation, set the new version; keep the old public keys for verify."
  type        = number
  default     = 1

  validation {
    condition     = var.custody_key_version >= 1 && floor(var.custody_key_version) == var.custody_key_version
    error_message = "custody_key_version must be a whole number from 1."
  }
}

variable "custody_kms_location" {
  description = "Cloud KMS location of the key ring; null means var.region."
  type        = string
  default     = null
}

variable "custody_protection_level" {
  description = "HSM (default, recommended) or SOFTWARE."
  type        = string
  default     = "HSM"

  validation {
    condition     = contains(["HSM", "SOFTWARE"], var.custody_protection_level)
    error_message = "custody_protection_level must be HSM or SOFTWARE."
  }
}

variable "custody_auditors" {
  description = "Principals (user:, group:, serviceAccount:) granted roles/cloudkms.publicKeyViewer on the signing key."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.custody_auditors : can(regex("^(user|group|serviceAccount|domain):.+$", m))])
    error_message = "custody_auditors entries must look like user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN."
  }
}

variable "custody_tsa_url" {
  description = "Optional RFC 3161 time-stamping authority URL (TSA_URL); null for none. A TSA failure never blocks storing evidence."
  type        = string
  default     = null

  validation {
    condition     = var.custody_tsa_url == null || can(regex("^https?://[^ ]+$", var.custody_tsa_url))
    error_message = "custody_tsa_url must be an http(s) URL."
  }
}
