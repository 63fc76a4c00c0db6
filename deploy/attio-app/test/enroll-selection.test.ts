// The bulk action's batching, polling, progress and summary, through the real server functions
// and a scripted gateway that plays the worker.

import {beforeEach, describe, expect, it, vi} from "vitest"

import {BATCH_POLL, BATCH_SIZE, enrollSelection} from "../src/enrollment/enroll-selection"
import type {EnrollmentChoice} from "../src/enrollment/choice"
import getEnrollmentJob from "../src/server/get-enrollment-job.server"
import submitEnrollmentBatch from "../src/server/submit-enrollment-batch.server"
import {fakeRunRecordBatches} from "./fakes/run-record-batches"
import {copy, last, response} from "./support/contract"
import {fakeClock} from "./support/fake-clock"
import {type Answer, configuredWorkspace, fakeGateway, type SentRequest} from "./support/fake-gateway"

const choice: EnrollmentChoice = {
    campaignId: "cam_A1b2C3d4E5f6G7h8",
    campaignName: "Q3 founders outreach",
    options: {
        findEmail: true,
        verifyEmail: false,
        findPhone: false,
        linkedinEnrichment: false,
        deduplicate: true,
    },
}

const people = (n: number) => Array.from({length: n}, (_, i) => `person-${String(i + 1).padStart(3, "0")}`)

// The outcomes of contract.json's done job, by position: each batch's first record is a
// duplicate, its second rejected, its third failed, the rest enrolled.
const [enrolled, duplicate, rejected, failed] = (
    copy(response("enrollment_job", "done").body) as {
        results: Array<Record<string, string>>
    }
).results
const outcomeAt = (i: number) => (i === 0 ? duplicate : i === 1 ? rejected : i === 2 ? failed : enrolled)

interface WorkerScript {
    // How the job answers its n-th status request (from 1): "queued", "running", "done", or an answer.
    statusOf?: (jobIndex: number, ask: number) => "queued" | "running" | "done" | Answer
    submitOf?: (jobIndex: number) => Answer | undefined
}

function playWorker(script: WorkerScript = {}) {
    const jobs: string[][] = []
    const asks: number[] = []
    const gateway = fakeGateway((request: SentRequest) => {
        if (request.method === "POST") {
            const index = jobs.length
            const refused = script.submitOf?.(index)
            if (refused) return refused
            jobs.push((request.body as {record_ids: string[]}).record_ids)
            return {
                status: 202,
                body: {job_id: `job_${(index + 1).toString(16).padStart(24, "0")}`, stored: "broker"},
            }
        }
        const index = Number.parseInt(request.path.split("job_")[1] ?? "", 16) - 1
        const ids = jobs[index] ?? []
        asks[index] = (asks[index] ?? 0) + 1
        const state = script.statusOf?.(index, asks[index] ?? 1) ?? (asks[index] === 1 ? "queued" : "done")
        if (typeof state !== "string") return state
        const settled = state === "done" ? ids : state === "running" ? ids.slice(0, 10) : []
        const results = settled.map((id, i) => ({...outcomeAt(i), record_id: id}))
        return {status: 200, body: {job_id: `job_${index}`, state, results}}
    })
    vi.stubGlobal("fetch", gateway.fetch)
    return {gateway, jobs, asks}
}

const deps = () => ({
    submit: submitEnrollmentBatch,
    fetchStatus: getEnrollmentJob,
    clock: fakeClock(),
    limits: BATCH_POLL,
})

beforeEach(() => configuredWorkspace())

describe("enrollSelection", () => {
    it("sends the selection in batches of 50, in order, each with the rep's campaign and options", async () => {
        const worker = playWorker()
        const selection = fakeRunRecordBatches(people(120))
        await enrollSelection(selection.run, deps(), choice)

        expect(BATCH_SIZE).toBe(50)
        expect(selection.batchSizes).toEqual([50, 50, 20])
        expect(worker.jobs.flat()).toEqual(people(120))
        const posts = worker.gateway.sent.filter((s) => s.method === "POST")
        expect(posts.map((p) => p.path)).toEqual(["/v1/enrollments", "/v1/enrollments", "/v1/enrollments"])
        for (const post of posts) {
            expect(post.body).toMatchObject({campaign_id: choice.campaignId, options: choice.options})
            expect(post.body).not.toHaveProperty("icebreaker")
        }
    })

    it("shows the running counts as batches finish, and a summary with Lemlist's reasons", async () => {
        playWorker()
        const selection = fakeRunRecordBatches(people(120))
        const notice = await enrollSelection(selection.run, deps(), choice)

        expect(selection.progress.map((p) => p && p.text)).toEqual([
            "0 of 120 processed",
            "50 of 120 processed: 47 enrolled · 1 duplicate · 1 rejected · 1 failed",
            "100 of 120 processed: 94 enrolled · 2 duplicate · 2 rejected · 2 failed",
            "120 of 120 processed: 111 enrolled · 3 duplicate · 3 rejected · 3 failed",
            undefined, // onComplete: the summary toast follows
        ])
        expect(notice).toEqual({
            variant: "warning",
            title: "Enrolled 111 people in Q3 founders outreach",
            text: [
                "111 enrolled · 3 duplicate · 3 rejected · 3 failed",
                "duplicate (3): Lead already in the campaign • rejected (3): HTTP 400: Invalid email address • " +
                    "failed (3): Attio reading the Person: permanent (404 not_found): Record not found",
            ].join("\n"),
        })
    })

    it("all enrolled: a plain success; only refusals: an error", async () => {
        const allEnrolled = people(3).map((id) => ({...enrolled, record_id: id}))
        playWorker({
            statusOf: () => ({status: 200, body: {job_id: "job_x", state: "done", results: allEnrolled}}),
        })
        expect(await enrollSelection(fakeRunRecordBatches(people(3)).run, deps(), choice)).toEqual({
            variant: "success",
            title: "Enrolled 3 people in Q3 founders outreach",
            text: "3 enrolled",
        })

        playWorker() // positions 0..2 of a batch: duplicate, rejected, failed
        const refused = await enrollSelection(fakeRunRecordBatches(people(3)).run, deps(), choice)
        expect(refused).toMatchObject({variant: "error", title: "No new enrollments in Q3 founders outreach"})
    })

    it("a job still running at the deadline: its unsettled records are pending, not failed", async () => {
        const worker = playWorker({statusOf: () => "running"})
        const notice = await enrollSelection(fakeRunRecordBatches(people(30)).run, deps(), choice)

        expect(notice.variant).toBe("warning")
        expect(notice.text?.split("\n")[0]).toBe(
            "7 enrolled · 1 duplicate · 1 rejected · 1 failed · 20 still running",
        )
        expect(notice.text).toMatch(/Lemlist enrollment status shows the outcome/)
        // Polled every 2 s up to the 180 s deadline, no more.
        expect(worker.asks[0]).toBe(BATCH_POLL.deadlineMs / BATCH_POLL.intervalMs)
    })

    it("a job the worker has not seen yet (404) is waited for", async () => {
        playWorker({statusOf: (_job, ask) => (ask < 3 ? response("enrollment_job", "not_found") : "done")})
        const notice = await enrollSelection(fakeRunRecordBatches(people(5)).run, deps(), choice)
        expect(notice.text?.split("\n")[0]).toBe("2 enrolled · 1 duplicate · 1 rejected · 1 failed")
    })

    it("a batch the gateway refuses stops the run: the rest is not sent, what settled is still told", async () => {
        const worker = playWorker({
            submitOf: (job) => (job === 1 ? response("enroll_one", "unauthorized") : undefined),
        })
        const selection = fakeRunRecordBatches(people(120))
        const notice = await enrollSelection(selection.run, deps(), choice)

        expect(worker.gateway.sent.filter((s) => s.method === "POST")).toHaveLength(2)
        expect(last(selection.progress)).toEqual({
            title: "Enrollment in Q3 founders outreach stopped",
            text: "missing or wrong bearer token",
        })
        expect(notice.variant).toBe("error")
        expect(notice.text?.split("\n").slice(0, 2)).toEqual([
            "Stopped: missing or wrong bearer token",
            "47 enrolled · 1 duplicate · 1 rejected · 1 failed",
        ])
    })
})
