# Eventarc and Pub/Sub create their service agents lazily: not when the API is enabled, but the first time
# something needs them. In a fresh project that is in the middle of this apply, and the trigger creation fails
# with "Permission denied while using the Eventarc Service Agent", or a grant to the Pub/Sub agent fails
# because the account does not exist yet; neither is retried by the provider. So the agents are created
# explicitly (the Service Usage generateServiceIdentity call, only in google-beta), given the role Google
# grants a lazily created agent, and the resources that depend on them wait for IAM to propagate.

locals {
  # With manage_project_services = false the agents are someone else's to create, like the APIs.
  service_agent_services = var.manage_project_services ? toset(concat(
    ["pubsub.googleapis.com"],
    local.eventarc_mode ? ["eventarc.googleapis.com"] : [],
  )) : toset([])

  # The role each agent gets when Google creates it by itself; created through the API it must be granted.
  service_agent_roles = {
    "pubsub.googleapis.com"   = "roles/pubsub.serviceAgent"
    "eventarc.googleapis.com" = "roles/eventarc.serviceAgent"
  }
}

resource "google_project_service_identity" "agents" {
  provider = google-beta
  for_each = local.service_agent_services

  project = var.project_id
  service = each.value

  depends_on = [google_project_service.enabled]
}

# Members are spelled out (known at plan time, like the other members here); the identity resource above
# is what makes the account exist.
resource "google_project_iam_member" "service_agents" {
  for_each = local.service_agent_services

  project = var.project_id
  role    = local.service_agent_roles[each.value]
  member  = each.value == "pubsub.googleapis.com" ? local.pubsub_agent_member : local.eventarc_agent_member

  depends_on = [google_project_service_identity.agents]
}

# IAM changes take up to a few minutes to reach every service. Only the first apply waits: the sleep is
# created once and stays in the state.
resource "time_sleep" "service_agents" {
  create_duration = length(local.service_agent_services) > 0 ? "${var.service_agent_wait_seconds}s" : "0s"

  triggers = {
    agents = join(",", sort(keys(google_project_iam_member.service_agents)))
  }
}
