// The record action: one Person, answered at once when the worker is quick (?wait=true),
// else polled for a short while, and told as one toast.

import type {EnrollOneAnswer, JobStatus, Outcome} from "../gateway/answers"
import type {Enrollment} from "../gateway/requests"
import type {EnrollmentChoice} from "./choice"
import {type Clock, pollJob, type PollLimits} from "./poll-job"
import {type Notice, singleNotice} from "./summary"

export interface PersonDeps {
    send: (enrollment: Enrollment, recordId: string) => Promise<Outcome<EnrollOneAnswer>>
    fetchStatus: (jobId: string) => Promise<Outcome<JobStatus>>
    clock: Clock
    limits: PollLimits
}

// The gateway already waited 30 s; a little more covers a worker that was busy, then the
// Person's lemlist_enrollment_status takes over.
export const PERSON_POLL: PollLimits = {intervalMs: 2_000, deadlineMs: 20_000}

export async function enrollPerson(
    deps: PersonDeps,
    choice: EnrollmentChoice,
    recordId: string,
): Promise<Notice> {
    const {campaignName, ...enrollment} = choice
    const sent = await deps.send(enrollment, recordId)
    if (!sent.ok)
        return {variant: "error", title: `Could not enroll in ${campaignName}`, text: sent.failure.message}
    if (sent.value.kind === "settled") return singleNotice(sent.value.result, campaignName)

    const poll = await pollJob(sent.value.jobId, deps.fetchStatus, deps.clock, deps.limits)
    if (poll.state === "failed") {
        return {
            variant: "error",
            title: `Could not follow the enrollment in ${campaignName}`,
            text: poll.failure.message,
        }
    }
    return singleNotice(
        poll.results.find((r) => r.record_id === recordId),
        campaignName,
    )
}
