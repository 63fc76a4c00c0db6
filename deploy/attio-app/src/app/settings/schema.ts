import {Settings} from "attio"

// The workspace settings (admins edit them on the app's settings page; values are null until
// set). The admin token is not here: it is the app's workspace connection, a secret.
export default Settings.defineWorkspaceSchema({
    // Where the ingest-gateway answers, e.g. https://sync.example.com (https only).
    gateway_url: Settings.Schema.string(),

    // The Lemlist event categories to subscribe to: all off until an admin turns one on.
    category_contacted: Settings.Schema.boolean(),
    category_hooked: Settings.Schema.boolean(),
    category_attracted: Settings.Schema.boolean(),
    category_warmed: Settings.Schema.boolean(),
    category_interested: Settings.Schema.boolean(),
    category_not_interested: Settings.Schema.boolean(),
    category_bounced: Settings.Schema.boolean(),
    category_unsubscribed: Settings.Schema.boolean(),
    category_paused: Settings.Schema.boolean(),
    category_resumed: Settings.Schema.boolean(),
    category_stopped: Settings.Schema.boolean(),
    category_failed: Settings.Schema.boolean(),

    // What the enrollment dialog starts with (unset: the product's defaults).
    default_findEmail: Settings.Schema.boolean(),
    default_verifyEmail: Settings.Schema.boolean(),
    default_findPhone: Settings.Schema.boolean(),
    default_linkedinEnrichment: Settings.Schema.boolean(),
    default_deduplicate: Settings.Schema.boolean(),
})
