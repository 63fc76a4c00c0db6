import {type Outcome, readJobAccepted} from "../gateway/answers"
import {callGateway} from "../gateway/call-gateway"
import {enrollBatchRequest, type Enrollment} from "../gateway/requests"

// POST /v1/enrollments for a batch: the job id to poll.
export default async function submitEnrollmentBatch(
    enrollment: Enrollment,
    recordIds: string[],
): Promise<Outcome<string>> {
    const sent = await callGateway(enrollBatchRequest(enrollment, recordIds))
    return sent.ok ? readJobAccepted(sent.value) : sent
}
