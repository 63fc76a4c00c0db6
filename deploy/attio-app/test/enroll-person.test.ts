// The record action's enrollment of one Person: each of Lemlist's answers as one toast, with
// its reason, and the 202 path (no answer within the gateway's wait) polled to the end.

import {beforeEach, describe, expect, it, vi} from "vitest"

import type {EnrollmentChoice} from "../src/enrollment/choice"
import {enrollPerson, PERSON_POLL} from "../src/enrollment/enroll-person"
import enrollOne from "../src/server/enroll-one.server"
import getEnrollmentJob from "../src/server/get-enrollment-job.server"
import {response, route} from "./support/contract"
import {fakeClock} from "./support/fake-clock"
import {type Answer, configuredWorkspace, fakeGateway} from "./support/fake-gateway"

const body = route("enroll_one").request.body as {
    campaign_id: string
    record_ids: [string]
    options: EnrollmentChoice["options"]
    icebreaker: string
}
const choice: EnrollmentChoice = {
    campaignId: body.campaign_id,
    campaignName: "Q3 founders outreach",
    options: body.options,
    icebreaker: body.icebreaker,
}
const recordId = body.record_ids[0]

// POST answers with `posted`; GETs of the job answer `polled` in turn (the last repeated).
function serve(posted: Answer, ...polled: Answer[]) {
    let asked = 0
    const gateway = fakeGateway((request) => {
        if (request.method === "POST") return posted
        asked += 1
        return polled[Math.min(asked, polled.length) - 1] ?? {status: 500, body: "no script"}
    })
    vi.stubGlobal("fetch", gateway.fetch)
    return gateway
}

const enroll = () =>
    enrollPerson(
        {send: enrollOne, fetchStatus: getEnrollmentJob, clock: fakeClock(), limits: PERSON_POLL},
        choice,
        recordId,
    )

// A job status answer holding one result for our record.
function jobDone(status: string, message?: string): Answer {
    return {
        status: 200,
        body: {
            job_id: "job_5f2c9a1e7b3d4c6a8e0f1a2b",
            state: "done",
            results: [{record_id: recordId, status, ...(message ? {message} : {})}],
        },
    }
}

beforeEach(() => configuredWorkspace())

describe("enrollPerson", () => {
    it("enrolled: success, and nothing polled", async () => {
        const gateway = serve(response("enroll_one", "enrolled"))
        expect(await enroll()).toEqual({variant: "success", title: "Enrolled in Q3 founders outreach"})
        expect(gateway.sent).toHaveLength(1)
    })

    it("duplicate, rejected, failed: each says so, with Lemlist's (or the worker's) reason verbatim", async () => {
        serve(response("enroll_one", "duplicate"))
        expect(await enroll()).toEqual({
            variant: "warning",
            title: "Already in Lemlist: not enrolled in Q3 founders outreach",
            text: "Lead already in the campaign",
        })
        serve(response("enroll_one", "rejected"))
        expect(await enroll()).toEqual({
            variant: "error",
            title: "Lemlist rejected the enrollment in Q3 founders outreach",
            text: "not sent to Lemlist: the Person has no email address and no LinkedIn URL",
        })
        serve(response("enroll_one", "failed"))
        expect(await enroll()).toMatchObject({
            variant: "error",
            title: "Enrollment in Q3 founders outreach failed",
        })
    })

    it("202 after the gateway's wait: the job is polled until its result comes", async () => {
        const gateway = serve(
            response("enroll_one", "wait_deadline"),
            response("enrollment_job", "queued"),
            jobDone("duplicate", "Lead already in the campaign"),
        )
        expect(await enroll()).toMatchObject({variant: "warning", text: "Lead already in the campaign"})
        expect(gateway.sent.map((s) => `${s.method} ${s.path}`)).toEqual([
            "POST /v1/enrollments?wait=true",
            "GET /v1/enrollments/job_5f2c9a1e7b3d4c6a8e0f1a2b",
            "GET /v1/enrollments/job_5f2c9a1e7b3d4c6a8e0f1a2b",
        ])
    })

    it("202 and still nothing at the deadline: said to be running, not failed", async () => {
        serve(response("enroll_one", "spooled"), response("enrollment_job", "not_found"))
        expect(await enroll()).toEqual({
            variant: "neutral",
            title: "Enrollment in Q3 founders outreach is still running",
            text: "The Person's Lemlist enrollment status will show the outcome.",
        })
    })

    it("the job could not be processed, or the gateway refused: an error with its words", async () => {
        serve(response("enroll_one", "job_error"))
        expect(await enroll()).toEqual({
            variant: "error",
            title: "Could not enroll in Q3 founders outreach",
            text: "record_ids: must be a non-empty array of strings",
        })
        serve(response("enroll_one", "unavailable"))
        expect((await enroll()).text).toBe("neither the broker nor the local spool can store it now")
    })
})
