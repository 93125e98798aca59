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

variable "scc_location" {
  description = <<-EOT
    Security Command Center location of the findings and of the notification config: "global"
    (default), or the data-residency location SCC was activated with (e.g. "eu"). With a location
    other than global, configure the google provider with security_center_v2_custom_endpoint =
    "https://securitycenter.LOCATION.rep.googleapis.com/v2/" (the examples do): only that endpoint
    serves the location's notification configs. The function needs no setting: it reads each
    finding from its own location's endpoint.
  EOT
  type        = string
  default     = "global"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.scc_location))
    error_message = "scc_location must be a location name such as \"global\", \"eu\" or \"us\"."
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
    on destroy) and create the Pub/Sub and Eventarc service agents. Set false where
    API enablement is owned elsewhere; the list is in README.md.
  EOT
  type        = bool
  default     = true
}

variable "service_agent_wait_seconds" {
  description = "On the first apply, wait this long after creating the Pub/Sub and Eventarc service agents and granting their roles, before the resources that use them (IAM propagation: up to several minutes; model modules wait 60-420 s)."
  type        = number
  default     = 120

  validation {
    condition     = var.service_agent_wait_seconds >= 0 && var.service_agent_wait_seconds <= 900 && floor(var.service_agent_wait_seconds) == var.service_agent_wait_seconds
    error_message = "service_agent_wait_seconds must be a whole number from 0 to 900."
  }
}

variable "storage_data_read_audit_logs" {
  description = <<-EOT
    Turn on Data Access audit logs (DATA_READ) for Cloud Storage in project_id, so every read of
    evidence (object get, list) is recorded with the reader's identity. This sets the project's audit
    configuration for storage.googleapis.com as a whole (google_project_iam_audit_config is
    authoritative for that service): set false if that configuration is managed elsewhere, and turn
    DATA_READ on there.
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
    # HOST[:PORT]/PATH[:TAG][@sha256:DIGEST], lowercase path: what Artifact Registry accepts. Also
    # refuses the examples' REPLACE_WITH_ placeholders, which are uppercase.
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$", var.image))
    error_message = "image must be an image reference such as REGION-docker.pkg.dev/PROJECT/REPO/reverse-shell-function@sha256:DIGEST (lowercase host and path, optional tag, optional digest)."
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
    # 24855 days is the longest period whose seconds fit a signed 32-bit integer (2^31 - 1 s);
    # provider 6.x fails plan beyond it (7.x made retention_period a string for longer periods).
    condition     = var.retention_period_days >= 1 && var.retention_period_days <= 24855 && floor(var.retention_period_days) == var.retention_period_days
    error_message = "retention_period_days must be a whole number from 1 to 24855 (about 68 years)."
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

variable "topic_kms_key_name" {
  description = <<-EOT
    Optional Cloud KMS key for the findings topic (and, in push mode, the dead-letter topic), as
    projects/P/locations/L/keyRings/R/cryptoKeys/K. The Pub/Sub service agent of project_id is granted
    encrypter/decrypter on this key. null = Google-managed encryption.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.topic_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.topic_kms_key_name))
    error_message = "topic_kms_key_name must be null or a full key name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
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
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.related_window_minutes >= 1 && var.related_window_minutes <= 10080 && floor(var.related_window_minutes) == var.related_window_minutes
    error_message = "related_window_minutes must be a whole number from 1 to 10080."
  }
}

variable "log_window_before_minutes" {
  description = "Collect service logs from this many minutes before the event (LOG_WINDOW_BEFORE_MINUTES)."
  type        = number
  default     = 30

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.log_window_before_minutes >= 0 && var.log_window_before_minutes <= 1440 && floor(var.log_window_before_minutes) == var.log_window_before_minutes
    error_message = "log_window_before_minutes must be a whole number from 0 to 1440."
  }
}

variable "log_window_after_minutes" {
  description = "Collect service logs until this many minutes after the event (LOG_WINDOW_AFTER_MINUTES)."
  type        = number
  default     = 5

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.log_window_after_minutes >= 0 && var.log_window_after_minutes <= 1440 && floor(var.log_window_after_minutes) == var.log_window_after_minutes
    error_message = "log_window_after_minutes must be a whole number from 0 to 1440."
  }
}

variable "audit_window_days" {
  description = "Collect admin-activity audit logs for the affected resource from this many days back (AUDIT_WINDOW_DAYS); the admin-activity log is kept 400 days."
  type        = number
  default     = 7

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.audit_window_days >= 1 && var.audit_window_days <= 400 && floor(var.audit_window_days) == var.audit_window_days
    error_message = "audit_window_days must be a whole number from 1 to 400."
  }
}

variable "delivery_budget_seconds" {
  description = "A delivery is answered this long after Pub/Sub sent it (DELIVERY_BUDGET_SECONDS): the collectors stop early enough to store part 1 by then, and what they had not finished continues in part 2. Must be below ack_deadline_seconds in push mode, and below 10 in eventarc mode (the ack deadline of the subscription Eventarc creates is widely reported as 10 s and cannot be set; terraform/README.md)."
  type        = number
  default     = 8

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.delivery_budget_seconds >= 1 && var.delivery_budget_seconds <= 599 && floor(var.delivery_budget_seconds) == var.delivery_budget_seconds
    error_message = "delivery_budget_seconds must be a whole number from 1 to 599."
  }
}

variable "collection_deadline_seconds" {
  description = "Time budget for all collectors of one part (COLLECTION_DEADLINE_SECONDS); part 1 at a delivery ends sooner, at delivery_budget_seconds. Must be below timeout_seconds."
  type        = number
  default     = 45

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.collection_deadline_seconds >= 1 && var.collection_deadline_seconds <= 3599 && floor(var.collection_deadline_seconds) == var.collection_deadline_seconds
    error_message = "collection_deadline_seconds must be a whole number from 1 to 3599."
  }
}

variable "log_max_entries" {
  description = "Cap on log entries kept per log file of a bundle (LOG_MAX_ENTRIES)."
  type        = number
  default     = 10000

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.log_max_entries >= 1 && var.log_max_entries <= 10000000 && floor(var.log_max_entries) == var.log_max_entries
    error_message = "log_max_entries must be a whole number from 1 to 10000000."
  }
}

variable "log_max_bytes" {
  description = "Cap on the bytes of each log file of a bundle (LOG_MAX_BYTES). Staged in /tmp, which is memory on Cloud Run: see memory."
  type        = number
  default     = 52428800

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.log_max_bytes >= 1024 && var.log_max_bytes <= 10737418240 && floor(var.log_max_bytes) == var.log_max_bytes
    error_message = "log_max_bytes must be a whole number from 1024 to 10737418240."
  }
}

variable "related_max_findings" {
  description = "Cap on related findings kept per bundle (RELATED_MAX_FINDINGS)."
  type        = number
  default     = 500

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.related_max_findings >= 1 && var.related_max_findings <= 100000 && floor(var.related_max_findings) == var.related_max_findings
    error_message = "related_max_findings must be a whole number from 1 to 100000."
  }
}

variable "completion_give_up_hours" {
  description = "A bundle left pending (log window still open, transient failure) is retried this long after its first part, then stored incomplete (COMPLETION_GIVE_UP_HOURS)."
  type        = number
  default     = 24

  validation {
    # The app's limits (function/ReverseShellFunction/Hosting/SettingsCatalog.cs); a test keeps them equal.
    condition     = var.completion_give_up_hours >= 1 && var.completion_give_up_hours <= 720 && floor(var.completion_give_up_hours) == var.completion_give_up_hours
    error_message = "completion_give_up_hours must be a whole number from 1 to 720 (Logging keeps _Default entries 30 days)."
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
  description = "Push mode: ack deadline, which for push is also the HTTP timeout of each delivery (10-600); above delivery_budget_seconds. 10 by default, as Eventarc's subscription is reported to use, so both modes behave alike."
  type        = number
  default     = 10

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
  description = "CPU limit per instance: \"1\", \"2\", \"4\", \"6\" or \"8\". The service runs on the gen2 execution environment (Cloud Run Threat Detection watches only gen2), which needs at least 1 vCPU; 4 vCPUs need at least 2Gi of memory, 6 and 8 at least 4Gi."
  type        = string
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "6", "8"], var.cpu)
    error_message = "cpu must be \"1\", \"2\", \"4\", \"6\" or \"8\": gen2 Cloud Run needs at least 1 vCPU, and above 1 only these whole numbers are allowed."
  }
}

variable "timeout_seconds" {
  description = "Request timeout of the service, in seconds (1-3600), passed to the function as REQUEST_TIMEOUT_SECONDS: each completion task's dispatchDeadline (at least 15 with completion_tasks_enabled). Must be above collection_deadline_seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds must be a whole number from 1 to 3600."
  }
}

variable "min_instances" {
  description = "Minimum instances (0 = scale to zero)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number, 0 or more."
  }
}

variable "max_instances" {
  description = "Maximum instances."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number, 1 or more."
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
  description = "Alert when the oldest undelivered notification is older than this. In eventarc mode at most 43200 (12 h): Eventarc's subscription drops a message after 24 h, and the alert must leave time to act."
  type        = number
  default     = 1800

  validation {
    condition     = var.alert_backlog_age_seconds >= 60 && var.alert_backlog_age_seconds <= 518400 && floor(var.alert_backlog_age_seconds) == var.alert_backlog_age_seconds
    error_message = "alert_backlog_age_seconds must be a whole number from 60 to 518400 (6 days, inside the 7 days push mode keeps messages)."
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

# ---- notifications (notify.tf) -------------------------------------------------------------------

variable "notify_enabled" {
  description = "Create a Pub/Sub topic that gets one small JSON message per stored bundle, publishable by the function only."
  type        = bool
  default     = false
}

variable "mark_findings" {
  description = "Write the bundle's id, URI and SHA-256 as security marks on each finding (grants roles/securitycenter.findingSecurityMarksWriter to the function)."
  type        = bool
  default     = false
}

# ---- end of notifications ------------------------------------------------------------------------

# ---- completion of bundles (completion.tf) -------------------------------------------------------

variable "completion_tasks_enabled" {
  description = "Schedule each bundle's later parts (log windows still open, a collector that failed transiently) as Cloud Tasks tasks on a queue of their own (COMPLETION_QUEUE, COMPLETION_URL, COMPLETION_SERVICE_ACCOUNT). false: no queue; the function keeps pending records in the evidence store instead."
  type        = bool
  default     = true
}

variable "completion_max_dispatches_per_second" {
  description = "Rate limit of the completion queue. Every dispatch, retries included, re-reads up to two log windows of at most 2 x ceil(log_max_entries / 1000) + 2 entries.list calls each (44 in all for the default log_max_entries), and Cloud Logging allows logging_read_quota_per_minute calls a minute per project: reads per dispatch x 60 x this rate may use at most half of that (checked at plan), the other half stays with the first parts of new findings. 0.01 (0.6 a minute) uses 26.4 of the default 60."
  type        = number
  default     = 0.01

  validation {
    condition     = var.completion_max_dispatches_per_second > 0 && var.completion_max_dispatches_per_second <= 500
    error_message = "completion_max_dispatches_per_second must be above 0 and at most 500 (Cloud Tasks' limit)."
  }
}

variable "completion_max_concurrent_dispatches" {
  description = "Completions in flight at once. At most half of the service's request slots (max_instances x max_instance_request_concurrency, checked at plan), so completions never crowd out the deliveries of new findings."
  type        = number
  default     = 5

  validation {
    condition     = var.completion_max_concurrent_dispatches >= 1 && var.completion_max_concurrent_dispatches <= 5000 && floor(var.completion_max_concurrent_dispatches) == var.completion_max_concurrent_dispatches
    error_message = "completion_max_concurrent_dispatches must be a whole number from 1 to 5000 (Cloud Tasks' limit)."
  }
}

variable "logging_read_quota_per_minute" {
  description = "Cloud Logging's entries.list quota of project_id per minute: 60 unless Google raised it for the project. Only sizes the completion queue's rate limit."
  type        = number
  default     = 60

  validation {
    condition     = var.logging_read_quota_per_minute >= 1 && floor(var.logging_read_quota_per_minute) == var.logging_read_quota_per_minute
    error_message = "logging_read_quota_per_minute must be a whole number, 1 or more."
  }
}

variable "completion_max_attempts" {
  description = "Attempts per completion task, the first included (-1: no limit). Cloud Tasks stops retrying only when both this and completion_max_retry_duration_seconds are reached, so the age limit normally decides; this bounds the retries of an endpoint that keeps failing."
  type        = number
  default     = 30

  validation {
    condition     = (var.completion_max_attempts == -1 || var.completion_max_attempts >= 1) && floor(var.completion_max_attempts) == var.completion_max_attempts
    error_message = "completion_max_attempts must be -1 or a whole number from 1."
  }
}

variable "completion_max_retry_duration_seconds" {
  description = "How long after its first attempt a completion task is retried. At least completion_give_up_hours x 3600 (checked at plan): the function gives a part up after COMPLETION_GIVE_UP_HOURS (24 h by default) and then answers 2xx with what it has; retries must last until then. At most 31 days, Cloud Tasks' task retention."
  type        = number
  default     = 90000

  validation {
    condition     = var.completion_max_retry_duration_seconds >= 3600 && var.completion_max_retry_duration_seconds <= 2678400 && floor(var.completion_max_retry_duration_seconds) == var.completion_max_retry_duration_seconds
    error_message = "completion_max_retry_duration_seconds must be a whole number from 3600 to 2678400 (31 days), and at least completion_give_up_hours x 3600."
  }
}

variable "completion_min_backoff_seconds" {
  description = "First wait before retrying a completion the function answered 429/503 (log window still open, a collector's transient failure). A minute: a log window or a per-minute quota does not change faster."
  type        = number
  default     = 60

  validation {
    condition     = var.completion_min_backoff_seconds >= 1 && var.completion_min_backoff_seconds <= 3600 && floor(var.completion_min_backoff_seconds) == var.completion_min_backoff_seconds
    error_message = "completion_min_backoff_seconds must be a whole number from 1 to 3600."
  }
}

variable "completion_max_backoff_seconds" {
  description = "Longest wait between retries of a completion; not below completion_min_backoff_seconds (checked at plan)."
  type        = number
  default     = 3600

  validation {
    condition     = var.completion_max_backoff_seconds >= 1 && var.completion_max_backoff_seconds <= 86400 && floor(var.completion_max_backoff_seconds) == var.completion_max_backoff_seconds
    error_message = "completion_max_backoff_seconds must be a whole number from 1 to 86400."
  }
}

variable "completion_max_doublings" {
  description = "Times the retry wait doubles from completion_min_backoff_seconds before it grows linearly up to completion_max_backoff_seconds (60 s and 4: 60, 120, 240, 480, 960, 1920, 2880, 3600 s)."
  type        = number
  default     = 4

  validation {
    condition     = var.completion_max_doublings >= 0 && var.completion_max_doublings <= 16 && floor(var.completion_max_doublings) == var.completion_max_doublings
    error_message = "completion_max_doublings must be a whole number from 0 to 16."
  }
}

# ---- end of completion ---------------------------------------------------------------------------
