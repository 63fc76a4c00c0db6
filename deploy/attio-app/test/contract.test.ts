// contract.json against the app: the names it fixes, the requests the builders make, and
// every example answer read the way the app reads it.

import {describe, expect, it} from "vitest"

import {
    readCampaigns,
    readEnrollOne,
    readFailure,
    readJobAccepted,
    readJobStatus,
    readSubscriptionReport,
} from "../src/gateway/answers"
import {
    ENROLLMENT_OPTIONS,
    ENROLLMENT_STATUSES,
    EVENT_CATEGORIES,
    type EventCategory,
} from "../src/gateway/contract"
import {
    campaignsRequest,
    type Enrollment,
    enrollBatchRequest,
    enrollmentJobRequest,
    enrollOneRequest,
    subscriptionSyncRequest,
} from "../src/gateway/requests"
import {contract, response, route} from "./support/contract"

interface EnrollmentBody {
    campaign_id: string
    record_ids: string[]
    options: Enrollment["options"]
    icebreaker?: string
}

function enrollmentOf(body: unknown): {enrollment: Enrollment; recordIds: string[]} {
    const b = body as EnrollmentBody
    const enrollment: Enrollment = {campaignId: b.campaign_id, options: b.options}
    if (b.icebreaker !== undefined) enrollment.icebreaker = b.icebreaker
    return {enrollment, recordIds: b.record_ids}
}

describe("contract.json names", () => {
    it("lists the categories, options and statuses the app uses, in the same order", () => {
        expect(contract.event_categories).toEqual([...EVENT_CATEGORIES])
        expect(contract.enrollment_options).toEqual([...ENROLLMENT_OPTIONS])
        expect(contract.enrollment_statuses).toEqual([...ENROLLMENT_STATUSES])
    })

    it("has the five routes the app calls", () => {
        expect(contract.routes.map((r) => r.name)).toEqual([
            "enroll_one",
            "enroll_batch",
            "enrollment_job",
            "campaigns",
            "subscriptions_sync",
        ])
    })
})

describe("the app's requests are contract.json's", () => {
    it("enroll_one: POST /v1/enrollments?wait=true with one record, every option and the icebreaker", () => {
        const expected = route("enroll_one").request
        const {enrollment, recordIds} = enrollmentOf(expected.body)
        expect(recordIds).toHaveLength(1)
        expect(enrollOneRequest(enrollment, recordIds[0] ?? "")).toEqual(expected)
    })

    it("enroll_batch: POST /v1/enrollments with the batch's records, no icebreaker when there is none", () => {
        const expected = route("enroll_batch").request
        const {enrollment, recordIds} = enrollmentOf(expected.body)
        expect(enrollBatchRequest({...enrollment, icebreaker: "   "}, recordIds)).toEqual(expected)
    })

    it("enrollment_job, campaigns: GETs without a body", () => {
        expect(enrollmentJobRequest("job_9d0e1f2a3b4c5d6e7f809a1b")).toEqual(route("enrollment_job").request)
        expect(campaignsRequest()).toEqual(route("campaigns").request)
    })

    it("subscriptions_sync: the enabled categories in the contract's order, once each", () => {
        const expected = route("subscriptions_sync").request
        const shuffled: EventCategory[] = ["bounced", "warmed", "contacted", "hooked", "bounced"]
        expect(subscriptionSyncRequest(shuffled)).toEqual(expected)
    })

    it("refuses to build an enrollment the gateway would refuse for its size", () => {
        const {enrollment} = enrollmentOf(route("enroll_batch").request.body)
        expect(() => enrollBatchRequest(enrollment, [])).toThrow(/1 to 250/)
        expect(() =>
            enrollBatchRequest(
                enrollment,
                Array.from({length: 251}, (_, i) => `r${i}`),
            ),
        ).toThrow(/got 251/)
    })
})

describe("every example answer reads as the app expects", () => {
    it("enroll_one: each result settled, 202 pending, errors with the gateway's message", () => {
        for (const c of ["enrolled", "duplicate", "rejected", "failed"]) {
            const read = readEnrollOne(response("enroll_one", c))
            expect(read.ok && read.value.kind === "settled" && read.value.result.status).toBe(c)
        }
        for (const c of ["wait_deadline", "spooled"]) {
            expect(readEnrollOne(response("enroll_one", c))).toEqual({
                ok: true,
                value: {kind: "pending", jobId: "job_5f2c9a1e7b3d4c6a8e0f1a2b"},
            })
        }
        expect(readEnrollOne(response("enroll_one", "job_error"))).toEqual({
            ok: false,
            failure: {
                status: 200,
                code: "job_failed",
                message: "record_ids: must be a non-empty array of strings",
            },
        })
        expect(readEnrollOne(response("enroll_one", "unavailable"))).toEqual({
            ok: false,
            failure: {
                status: 503,
                code: "unavailable",
                message: "neither the broker nor the local spool can store it now",
            },
        })
    })

    it("enroll_batch: 202 is the job id, the rest are failures", () => {
        expect(readJobAccepted(response("enroll_batch", "accepted"))).toEqual({
            ok: true,
            value: "job_9d0e1f2a3b4c5d6e7f809a1b",
        })
        expect(readJobAccepted(response("enroll_batch", "spooled"))).toEqual({
            ok: true,
            value: "job_9d0e1f2a3b4c5d6e7f809a1b",
        })
        expect(readJobAccepted(response("enroll_batch", "too_many_records"))).toEqual({
            ok: false,
            failure: {
                status: 422,
                code: "too_many_records",
                message: "at most 250 record_ids per request, got 251",
                field: "record_ids",
            },
        })
    })

    it("enrollment_job: queued, running with partial results, done with all four statuses", () => {
        const states = ["queued", "running", "done"].map((c) => {
            const read = readJobStatus(response("enrollment_job", c))
            return read.ok ? [read.value.state, read.value.results.length] : read.failure
        })
        expect(states).toEqual([
            ["queued", 0],
            ["running", 1],
            ["done", 4],
        ])
        const notFound = readJobStatus(response("enrollment_job", "not_found"))
        expect(notFound.ok ? "ok" : notFound.failure.status).toBe(404)
    })

    it("campaigns: the list, an empty list, and Lemlist's refusal verbatim", () => {
        const listed = readCampaigns(response("campaigns", "listed"))
        expect(listed.ok && listed.value.map((c) => c.status)).toEqual([
            "running",
            "paused",
            "draft",
            "archived",
        ])
        expect(readCampaigns(response("campaigns", "none"))).toEqual({ok: true, value: []})
        const refused = readCampaigns(response("campaigns", "lemlist_refused"))
        expect(refused.ok ? "" : refused.failure.message).toBe("HTTP 401: Invalid API key")
    })

    it("subscriptions_sync: each 200 report parses; 502 and 504 are failures in the gateway's words", () => {
        for (const c of ["applied", "plan_gated", "in_sync", "all_mode"]) {
            const read = readSubscriptionReport(response("subscriptions_sync", c))
            expect(read.ok ? "ok" : read.failure.message).toBe("ok")
        }
        const refused = readSubscriptionReport(response("subscriptions_sync", "listing_refused"))
        expect(refused.ok ? "" : refused.failure.message).toBe(
            "HTTP 402: route is available starting emailPro plan",
        )
    })

    it("every invalid request's answer is the gateway's error body, field included", () => {
        for (const r of contract.routes) {
            for (const invalid of r.invalid_requests) {
                const failure = readFailure(invalid.response)
                expect(failure, `${r.name}/${invalid.case}`).toEqual({
                    status: invalid.response.status,
                    code: invalid.response.body.error,
                    message: invalid.response.body.message,
                    ...(invalid.response.body.field ? {field: invalid.response.body.field} : {}),
                })
            }
        }
    })

    it("an answer that breaks the contract is said to, not shown as a result", () => {
        const drifted = {
            status: 200,
            body: {result: {job_id: "job_1", results: [{record_id: "r", status: "maybe"}]}},
        }
        const read = readEnrollOne(drifted)
        expect(read.ok).toBe(false)
        expect(read.ok ? "" : read.failure.message).toMatch(
            /does not match the contract at result\.results\.0\.status/,
        )
        // A proxy's HTML page: the status and its text, not a JSON parse error.
        expect(readFailure({status: 502, body: "<html><body>Bad gateway</body></html>"}).message).toBe(
            "HTTP 502: <html><body>Bad gateway</body></html>",
        )
    })
})
