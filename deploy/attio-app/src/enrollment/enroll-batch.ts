// One batch of the bulk action: submit it as a job, poll the job, say what became of each
// record. A submission the gateway refuses stops the whole run (the next batch would be
// refused the same way): it throws a GatewayError, which runRecordBatches reports.

import type {EnrollmentResult, GatewayFailure, JobStatus, Outcome} from "../gateway/answers"
import type {Enrollment} from "../gateway/requests"
import {type Clock, pollJob, type PollLimits} from "./poll-job"

export interface BatchOutcome {
    jobId: string
    results: EnrollmentResult[] // the records settled (enrolled, duplicate, rejected, failed)
    pending: string[] // accepted, no final status before the deadline (they still land on the Person)
    pollFailure?: GatewayFailure // why polling stopped early, when it did
}

export class GatewayError extends Error {
    constructor(readonly failure: GatewayFailure) {
        super(failure.message)
        this.name = "GatewayError"
    }
}

export interface BatchDeps {
    submit: (enrollment: Enrollment, recordIds: string[]) => Promise<Outcome<string>>
    fetchStatus: (jobId: string) => Promise<Outcome<JobStatus>>
    clock: Clock
    limits: PollLimits
}

export async function enrollBatch(
    deps: BatchDeps,
    enrollment: Enrollment,
    recordIds: string[],
): Promise<BatchOutcome> {
    const submitted = await deps.submit(enrollment, recordIds)
    if (!submitted.ok) throw new GatewayError(submitted.failure)
    const jobId = submitted.value

    const poll = await pollJob(jobId, deps.fetchStatus, deps.clock, deps.limits)
    // Only this batch's records count, once each, whatever the answer held.
    const wanted = new Set(recordIds)
    const byRecord = new Map<string, EnrollmentResult>()
    for (const result of poll.results) {
        if (wanted.has(result.record_id)) byRecord.set(result.record_id, result)
    }
    const outcome: BatchOutcome = {
        jobId,
        results: [...byRecord.values()],
        pending: recordIds.filter((id) => !byRecord.has(id)),
    }
    if (poll.state === "failed") outcome.pollFailure = poll.failure
    else if (poll.state === "unfinished" && poll.lastFailure) outcome.pollFailure = poll.lastFailure
    return outcome
}
