// The requests the app sends to the gateway, built in one place so the tests can hold each
// against contract.json. Pure: no settings, no network.

import {
    ENROLLMENT_OPTIONS,
    EVENT_CATEGORIES,
    type EnrollmentOptions,
    type EventCategory,
    MAX_RECORDS_PER_REQUEST,
} from "./contract"

export interface GatewayRequest {
    method: "GET" | "POST"
    path: string // with its query string
    body?: unknown // sent as JSON
}

export interface Enrollment {
    campaignId: string
    options: EnrollmentOptions
    icebreaker?: string
}

interface EnrollmentBody {
    campaign_id: string
    record_ids: string[]
    options: EnrollmentOptions
    icebreaker?: string
}

function enrollmentBody(enrollment: Enrollment, recordIds: string[]): EnrollmentBody {
    if (recordIds.length === 0 || recordIds.length > MAX_RECORDS_PER_REQUEST) {
        throw new Error(
            `an enrollment takes 1 to ${MAX_RECORDS_PER_REQUEST} records, got ${recordIds.length}`,
        )
    }
    // Every option is sent, so what the rep saw ticked is what Lemlist gets (an option left
    // out would fall back to the worker's TOML default, which the rep never saw).
    const options = {} as EnrollmentOptions
    for (const name of ENROLLMENT_OPTIONS) options[name] = enrollment.options[name]
    const body: EnrollmentBody = {campaign_id: enrollment.campaignId.trim(), record_ids: recordIds, options}
    const icebreaker = enrollment.icebreaker?.trim()
    if (icebreaker) body.icebreaker = icebreaker
    return body
}

// One record, answered at once: the gateway waits for the worker's result.
export function enrollOneRequest(enrollment: Enrollment, recordId: string): GatewayRequest {
    return {method: "POST", path: "/v1/enrollments?wait=true", body: enrollmentBody(enrollment, [recordId])}
}

// A batch becomes one job; its results are polled with enrollmentJobRequest.
export function enrollBatchRequest(enrollment: Enrollment, recordIds: string[]): GatewayRequest {
    return {method: "POST", path: "/v1/enrollments", body: enrollmentBody(enrollment, recordIds)}
}

export function enrollmentJobRequest(jobId: string): GatewayRequest {
    return {method: "GET", path: `/v1/enrollments/${encodeURIComponent(jobId)}`}
}

export function campaignsRequest(): GatewayRequest {
    return {method: "GET", path: "/v1/campaigns"}
}

// The enabled categories, in the contract's order and once each. An empty list is meant:
// it removes every Lemlist webhook of ours.
export function subscriptionSyncRequest(enabled: Iterable<EventCategory>): GatewayRequest {
    const wanted = new Set(enabled)
    const categories = EVENT_CATEGORIES.filter((c) => wanted.has(c))
    return {method: "POST", path: "/v1/subscriptions/sync", body: {categories}}
}
