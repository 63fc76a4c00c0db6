// The names the gateway's API fixes, shared by the request builders, the answer readers and
// the settings. Examples of every route: tests/fixtures/attio-app/contract.json.

// Lemlist's create-lead query flags, as POST /v1/enrollments takes them in `options`.
export const ENROLLMENT_OPTIONS = [
    "findEmail",
    "verifyEmail",
    "findPhone",
    "linkedinEnrichment",
    "deduplicate",
] as const
export type EnrollmentOption = (typeof ENROLLMENT_OPTIONS)[number]
export type EnrollmentOptions = Record<EnrollmentOption, boolean>

// The product's defaults (deploy/config/example.toml's [enrollment]): what the dialog offers
// while an admin has set nothing.
export const PRODUCT_ENROLLMENT_DEFAULTS: EnrollmentOptions = {
    findEmail: false,
    verifyEmail: false,
    findPhone: false,
    linkedinEnrichment: false,
    deduplicate: true,
}

// The `event_category` select options of the Attio data model, minus `other` (a catch-all
// that names no Lemlist webhook type of its own).
export const EVENT_CATEGORIES = [
    "contacted",
    "hooked",
    "attracted",
    "warmed",
    "interested",
    "not_interested",
    "bounced",
    "unsubscribed",
    "paused",
    "resumed",
    "stopped",
    "failed",
] as const
export type EventCategory = (typeof EVENT_CATEGORIES)[number]

export const ENROLLMENT_STATUSES = ["enrolled", "duplicate", "rejected", "failed"] as const
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number]

// What the gateway takes on POST /v1/enrollments.
export const MAX_RECORDS_PER_REQUEST = 250
