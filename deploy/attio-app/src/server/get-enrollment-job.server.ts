import {type JobStatus, type Outcome, readJobStatus} from "../gateway/answers"
import {callGateway} from "../gateway/call-gateway"
import {enrollmentJobRequest} from "../gateway/requests"

// GET /v1/enrollments/{job_id}: the job's state and the records settled so far. One request
// per call: the polling (and its deadline) lives in the client, so no server function runs long.
export default async function getEnrollmentJob(jobId: string): Promise<Outcome<JobStatus>> {
    const sent = await callGateway(enrollmentJobRequest(jobId))
    return sent.ok ? readJobStatus(sent.value) : sent
}
