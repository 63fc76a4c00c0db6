import {type EnrollOneAnswer, type Outcome, readEnrollOne} from "../gateway/answers"
import {callGateway} from "../gateway/call-gateway"
import {type Enrollment, enrollOneRequest} from "../gateway/requests"

// POST /v1/enrollments?wait=true for one Person: its result, or its job id when the worker
// did not answer within the gateway's wait.
export default async function enrollOne(
    enrollment: Enrollment,
    recordId: string,
): Promise<Outcome<EnrollOneAnswer>> {
    const sent = await callGateway(enrollOneRequest(enrollment, recordId))
    return sent.ok ? readEnrollOne(sent.value) : sent
}
