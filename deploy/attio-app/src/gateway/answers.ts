// Reads the gateway's answers into values the UI can show: a typed value, or a failure that
// carries the gateway's own words. Every shape here is an example in contract.json.

import {z} from "zod"

import {ENROLLMENT_STATUSES} from "./contract"

// An HTTP answer as received: the status, and the body parsed as JSON (its text when it is
// not JSON, e.g. a proxy's HTML error page).
export interface RawAnswer {
    status: number
    body: unknown
}

// `status` is 0 when no answer came (not configured, unreachable, timed out).
export interface GatewayFailure {
    status: number
    code: string
    message: string
    field?: string
}

export type Outcome<T> = {ok: true; value: T} | {ok: false; failure: GatewayFailure}

export function succeeded<T>(value: T): Outcome<T> {
    return {ok: true, value}
}

export function failed(failure: GatewayFailure): {ok: false; failure: GatewayFailure} {
    return {ok: false, failure}
}

const EnrollmentResultSchema = z.object({
    record_id: z.string(),
    status: z.enum(ENROLLMENT_STATUSES),
    lead_id: z.string().optional(),
    message: z.string().optional(),
})
export type EnrollmentResult = z.infer<typeof EnrollmentResultSchema>

// {"error":"<code>","message":"…","field":"…"?}: the gateway's error body
// (ingest-gateway/gateway/routes.cpp error_body).
const ErrorBodySchema = z.object({error: z.string(), message: z.string(), field: z.string().optional()})

const WaitedReplySchema = z.object({
    result: z.object({
        job_id: z.string(),
        results: z.array(EnrollmentResultSchema),
        error: z.string().optional(), // the job itself could not be processed
    }),
})

const JobAcceptedSchema = z.object({
    job_id: z.string(),
    stored: z.string().optional(),
    message: z.string().optional(),
})

const JobStatusSchema = z.object({
    job_id: z.string(),
    state: z.enum(["queued", "running", "done"]),
    results: z.array(EnrollmentResultSchema),
})
export type JobStatus = z.infer<typeof JobStatusSchema>

const CampaignsSchema = z.object({
    campaigns: z.array(z.object({id: z.string(), name: z.string(), status: z.string()})),
})
export type Campaign = z.infer<typeof CampaignsSchema>["campaigns"][number]

// `type` is "" for the one all-events hook of mode "all".
const HookSchema = z.object({type: z.string(), hook_id: z.string(), target_url: z.string()})
const SubscriptionReportSchema = z.object({
    mode: z.enum(["per_type", "all"]),
    target_url: z.string(), // PUBLIC_WEBHOOK_URL
    created: z.array(HookSchema),
    deleted: z.array(HookSchema.extend({reason: z.string().optional()})),
    kept: z.array(HookSchema),
    refused: z.array(
        // status: Lemlist's HTTP status, 0 when no answer came; message: its text, verbatim.
        z.object({
            action: z.enum(["create", "delete"]),
            type: z.string(),
            status: z.number(),
            message: z.string(),
        }),
    ),
    skipped: z.array(z.object({action: z.enum(["create", "delete"]), type: z.string(), reason: z.string()})),
})
export type SubscriptionReport = z.infer<typeof SubscriptionReportSchema>

function shortText(text: string, max = 200): string {
    const flat = text.replace(/\s+/g, " ").trim()
    return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

// Any answer that is not the success a route expects: the gateway's error body when it sent
// one, otherwise the status and the start of whatever came back.
export function readFailure(answer: RawAnswer): GatewayFailure {
    const parsed = ErrorBodySchema.safeParse(answer.body)
    if (parsed.success) {
        const {error, message, field} = parsed.data
        return field === undefined
            ? {status: answer.status, code: error, message}
            : {status: answer.status, code: error, message, field}
    }
    const text = typeof answer.body === "string" ? shortText(answer.body) : ""
    return {
        status: answer.status,
        code: "unexpected_answer",
        message: `HTTP ${answer.status}${text ? `: ${text}` : ""}`,
    }
}

function read<T>(answer: RawAnswer, status: number, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Outcome<T> {
    if (answer.status !== status) return failed(readFailure(answer))
    const parsed = schema.safeParse(answer.body)
    if (parsed.success) return succeeded(parsed.data)
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : ""
    return failed({
        status: answer.status,
        code: "unexpected_answer",
        message: `the gateway's answer does not match the contract${where}: ${issue?.message ?? "unreadable"}`,
    })
}

export type EnrollOneAnswer =
    {kind: "settled"; jobId: string; result: EnrollmentResult} | {kind: "pending"; jobId: string} // accepted, no result within the gateway's wait

// POST /v1/enrollments?wait=true
export function readEnrollOne(answer: RawAnswer): Outcome<EnrollOneAnswer> {
    if (answer.status === 202) {
        const accepted = read(answer, 202, JobAcceptedSchema)
        return accepted.ok ? succeeded({kind: "pending", jobId: accepted.value.job_id}) : accepted
    }
    const waited = read(answer, 200, WaitedReplySchema)
    if (!waited.ok) return waited
    const {job_id, results, error} = waited.value.result
    if (error !== undefined) return failed({status: 200, code: "job_failed", message: error})
    const [result] = results
    if (result === undefined || results.length !== 1) {
        return failed({
            status: 200,
            code: "unexpected_answer",
            message: `expected one result, got ${results.length}`,
        })
    }
    return succeeded({kind: "settled", jobId: job_id, result})
}

// POST /v1/enrollments (a batch): the job's id.
export function readJobAccepted(answer: RawAnswer): Outcome<string> {
    const accepted = read(answer, 202, JobAcceptedSchema)
    return accepted.ok ? succeeded(accepted.value.job_id) : accepted
}

// GET /v1/enrollments/{job_id}
export function readJobStatus(answer: RawAnswer): Outcome<JobStatus> {
    return read(answer, 200, JobStatusSchema)
}

// GET /v1/campaigns
export function readCampaigns(answer: RawAnswer): Outcome<Campaign[]> {
    const listed = read(answer, 200, CampaignsSchema)
    return listed.ok ? succeeded(listed.value.campaigns) : listed
}

// POST /v1/subscriptions/sync
export function readSubscriptionReport(answer: RawAnswer): Outcome<SubscriptionReport> {
    return read(answer, 200, SubscriptionReportSchema)
}
