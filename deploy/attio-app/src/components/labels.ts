// How the UI names the contract's options and categories.

import type {EnrollmentOption, EventCategory} from "../gateway/contract"

export const OPTION_LABELS: Record<EnrollmentOption, {label: string; description: string}> = {
    findEmail: {
        label: "Find email",
        description: "Lemlist looks for the lead's email address (uses credits).",
    },
    verifyEmail: {label: "Verify email", description: "Lemlist checks the email address before sending."},
    findPhone: {
        label: "Find phone",
        description: "Lemlist looks for the lead's phone number (uses credits).",
    },
    linkedinEnrichment: {
        label: "LinkedIn enrichment",
        description: "Lemlist enriches the lead from LinkedIn.",
    },
    deduplicate: {
        label: "Deduplicate",
        description: "Skip the lead when its email is already in another campaign (reported as duplicate).",
    },
}

export const CATEGORY_LABELS: Record<EventCategory, {label: string; description: string}> = {
    contacted: {label: "Contacted", description: "An email, invite, message, SMS or call went out."},
    hooked: {label: "Hooked", description: "The lead opened an email or a message."},
    attracted: {label: "Attracted", description: "The lead clicked a link or accepted a LinkedIn invite."},
    warmed: {label: "Warmed", description: "The lead replied."},
    interested: {label: "Interested", description: "The lead was marked interested."},
    not_interested: {label: "Not interested", description: "The lead was marked not interested."},
    bounced: {label: "Bounced", description: "An email bounced."},
    unsubscribed: {label: "Unsubscribed", description: "The lead unsubscribed."},
    paused: {label: "Paused", description: "The lead was paused in its campaign."},
    resumed: {label: "Resumed", description: "The lead was resumed."},
    stopped: {label: "Stopped", description: "The lead's campaign stopped for it."},
    failed: {label: "Failed", description: "A step failed for the lead (a send, an invite, an enrichment)."},
}
