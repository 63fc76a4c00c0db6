// Polls an enrollment job until it is done or a deadline passes. The clock is injected so
// tests run the whole schedule instantly and deterministically.

import type {EnrollmentResult, GatewayFailure, JobStatus, Outcome} from "../gateway/answers"

export interface Clock {
    now(): number // ms
    sleep(ms: number): Promise<void>
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => void setTimeout(resolve, ms)),
}

export interface PollLimits {
    intervalMs: number
    deadlineMs: number // from the first wait; then what has not settled is reported as pending
}

export type JobPoll =
    | {state: "done"; results: EnrollmentResult[]}
    | {state: "unfinished"; results: EnrollmentResult[]; lastFailure?: GatewayFailure}
    | {state: "failed"; results: EnrollmentResult[]; failure: GatewayFailure}

// Worth asking again: the job may not have reached a worker yet (404), the worker or gateway
// is briefly away (502/503/504), or the network hiccuped. Anything else (401, 400) will not
// change by waiting.
export function isRetryable(failure: GatewayFailure): boolean {
    return (
        [404, 502, 503, 504].includes(failure.status) ||
        failure.code === "timeout" ||
        failure.code === "unreachable"
    )
}

export async function pollJob(
    jobId: string,
    fetchStatus: (jobId: string) => Promise<Outcome<JobStatus>>,
    clock: Clock,
    limits: PollLimits,
): Promise<JobPoll> {
    const deadline = clock.now() + limits.deadlineMs
    let results: EnrollmentResult[] = []
    let lastFailure: GatewayFailure | undefined
    for (;;) {
        await clock.sleep(limits.intervalMs)
        const status = await fetchStatus(jobId)
        if (status.ok) {
            results = status.value.results // each answer holds every record settled so far
            lastFailure = undefined
            if (status.value.state === "done") return {state: "done", results}
        } else if (isRetryable(status.failure)) {
            lastFailure = status.failure
        } else {
            return {state: "failed", results, failure: status.failure}
        }
        if (clock.now() + limits.intervalMs > deadline) {
            return lastFailure ? {state: "unfinished", results, lastFailure} : {state: "unfinished", results}
        }
    }
}
