import {describe, expect, it} from "vitest"

import type {JobStatus, Outcome} from "../src/gateway/answers"
import {readJobStatus} from "../src/gateway/answers"
import {pollJob} from "../src/enrollment/poll-job"
import {response} from "./support/contract"
import {fakeClock} from "./support/fake-clock"

// The job's answers in turn (the last repeated), read as getEnrollmentJob reads them.
function answers(...cases: string[]) {
    const asked: string[] = []
    const fetchStatus = async (jobId: string): Promise<Outcome<JobStatus>> => {
        asked.push(jobId)
        const c = cases[Math.min(asked.length - 1, cases.length - 1)] ?? "queued"
        return readJobStatus(response("enrollment_job", c))
    }
    return {asked, fetchStatus}
}

const limits = {intervalMs: 2_000, deadlineMs: 10_000}

describe("pollJob", () => {
    it("waits, asks, and stops at the first done with its results", async () => {
        const clock = fakeClock()
        const job = answers("queued", "running", "done")
        const poll = await pollJob("job_9d0e1f2a3b4c5d6e7f809a1b", job.fetchStatus, clock, limits)
        expect(poll.state).toBe("done")
        expect(poll.results.map((r) => r.status)).toEqual(["enrolled", "duplicate", "rejected", "failed"])
        expect(job.asked).toHaveLength(3)
        expect(clock.slept).toEqual([2_000, 2_000, 2_000])
    })

    it("gives up at the deadline with what settled so far, never asking past it", async () => {
        const clock = fakeClock()
        const job = answers("queued", "running")
        const poll = await pollJob("job_1", job.fetchStatus, clock, limits)
        expect(poll).toMatchObject({state: "unfinished"})
        expect(poll.results.map((r) => r.record_id)).toEqual(["3f0b6a52-9c4e-4a51-8d1e-5b7c2e9a1f10"])
        expect(job.asked).toHaveLength(5) // at 2, 4, 6, 8 and 10 s
        expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(limits.deadlineMs)
    })

    it("keeps asking through a 404 (not at a worker yet) and a 504 (worker slow)", async () => {
        const job = answers("not_found", "worker_timeout", "done")
        const poll = await pollJob("job_1", job.fetchStatus, fakeClock(), limits)
        expect(poll.state).toBe("done")
        expect(job.asked).toHaveLength(3)
    })

    it("reports the last transient failure when it never cleared", async () => {
        const job = answers("worker_timeout")
        const poll = await pollJob("job_1", job.fetchStatus, fakeClock(), limits)
        expect(poll).toMatchObject({state: "unfinished", lastFailure: {status: 504, code: "timeout"}})
    })

    it("stops at once on a failure waiting cannot fix", async () => {
        const fetchStatus = async (): Promise<Outcome<JobStatus>> => ({
            ok: false,
            failure: {status: 401, code: "unauthorized", message: "missing or wrong bearer token"},
        })
        const poll = await pollJob("job_1", fetchStatus, fakeClock(), limits)
        expect(poll).toEqual({
            state: "failed",
            results: [],
            failure: {status: 401, code: "unauthorized", message: "missing or wrong bearer token"},
        })
    })
})
