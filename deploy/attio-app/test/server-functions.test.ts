// The server functions over a fake gateway: URL from the settings, token from the workspace
// connection, the contract's requests on the wire, and every way of getting no answer.

import {beforeEach, describe, expect, it, vi} from "vitest"

import {gatewayBase, REQUEST_TIMEOUT_MS} from "../src/gateway/call-gateway"
import enrollOne from "../src/server/enroll-one.server"
import getEnrollmentJob from "../src/server/get-enrollment-job.server"
import listCampaigns from "../src/server/list-campaigns.server"
import submitEnrollmentBatch from "../src/server/submit-enrollment-batch.server"
import syncSubscriptions from "../src/server/sync-subscriptions.server"
import {workspace} from "./fakes/workspace"
import {copy, response, route} from "./support/contract"
import {ADMIN_TOKEN, configuredWorkspace, fakeGateway, type Handler, inTurn} from "./support/fake-gateway"

function serve(handler: Handler) {
    const gateway = fakeGateway(handler)
    vi.stubGlobal("fetch", gateway.fetch)
    return gateway
}

const choice = {
    campaignId: "cam_A1b2C3d4E5f6G7h8",
    options: {
        findEmail: false,
        verifyEmail: true,
        findPhone: false,
        linkedinEnrichment: false,
        deduplicate: true,
    },
    icebreaker: "Loved your talk at SaaStr on outbound that does not feel like outbound.",
}
const recordId = "3f0b6a52-9c4e-4a51-8d1e-5b7c2e9a1f10"

beforeEach(() => configuredWorkspace())

describe("what goes on the wire", () => {
    it("enrollOne sends contract.json's request with the bearer token and JSON headers", async () => {
        const gateway = serve(inTurn(response("enroll_one", "enrolled")))
        const answer = await enrollOne(choice, recordId)

        const expected = route("enroll_one").request
        expect(gateway.sent).toHaveLength(1)
        const [sent] = gateway.sent
        expect(sent).toMatchObject({
            url: `https://gateway.test${expected.path}`,
            method: expected.method,
            body: expected.body,
        })
        expect(sent?.headers).toMatchObject({
            authorization: `Bearer ${ADMIN_TOKEN}`,
            "content-type": "application/json",
        })
        expect(answer).toEqual({
            ok: true,
            value: {
                kind: "settled",
                jobId: "job_5f2c9a1e7b3d4c6a8e0f1a2b",
                result: {record_id: recordId, status: "enrolled", lead_id: "lea_Q3mN8pX2vR7tY1wZ"},
            },
        })
    })

    it("the GET routes send no body and no content type", async () => {
        const gateway = serve((request) =>
            request.path === "/v1/campaigns"
                ? response("campaigns", "listed")
                : response("enrollment_job", "done"),
        )
        await listCampaigns()
        await getEnrollmentJob("job_9d0e1f2a3b4c5d6e7f809a1b")
        expect(gateway.sent.map((s) => [s.method, s.path, s.body, s.headers["content-type"]])).toEqual([
            ["GET", "/v1/campaigns", undefined, undefined],
            ["GET", "/v1/enrollments/job_9d0e1f2a3b4c5d6e7f809a1b", undefined, undefined],
        ])
    })

    it("submitEnrollmentBatch and syncSubscriptions send contract.json's bodies", async () => {
        const gateway = serve((request) =>
            request.path === "/v1/enrollments"
                ? response("enroll_batch", "accepted")
                : response("subscriptions_sync", "applied"),
        )
        const batch = copy(route("enroll_batch").request.body) as {
            record_ids: string[]
            options: typeof choice.options
        }
        expect(
            await submitEnrollmentBatch(
                {campaignId: choice.campaignId, options: batch.options},
                batch.record_ids,
            ),
        ).toEqual({
            ok: true,
            value: "job_9d0e1f2a3b4c5d6e7f809a1b",
        })
        const report = await syncSubscriptions(["contacted", "hooked", "warmed", "bounced"])
        expect(report.ok).toBe(true)
        expect(gateway.sent.map((s) => s.body)).toEqual([
            route("enroll_batch").request.body,
            route("subscriptions_sync").request.body,
        ])
    })

    it("a trailing slash or a path in the gateway URL is kept right", async () => {
        workspace.settings.gateway_url = "https://sync.example.com/lemlist/ "
        const gateway = serve(inTurn(response("campaigns", "none")))
        await listCampaigns()
        expect(gateway.sent[0]?.url).toBe("https://sync.example.com/lemlist/v1/campaigns")
    })
})

describe("no answer is still an answer for the UI", () => {
    it("no gateway URL, or not https: nothing is sent and the admin is told where to fix it", async () => {
        const gateway = serve(inTurn(response("campaigns", "none")))
        for (const url of [null, "", "http://sync.example.com", "sync.example.com"]) {
            workspace.settings.gateway_url = url
            const answer = await listCampaigns()
            expect(answer.ok ? "ok" : answer.failure.code).toBe("not_configured")
        }
        expect(gateway.sent).toHaveLength(0)
        expect(gatewayBase("https://sync.example.com/")).toBe("https://sync.example.com")
    })

    it("no workspace connection: nothing is sent, the message names the connection", async () => {
        workspace.connection = undefined
        const gateway = serve(inTurn(response("campaigns", "none")))
        const answer = await listCampaigns()
        expect(answer.ok ? "" : answer.failure).toMatchObject({status: 0, code: "not_connected"})
        expect(answer.ok ? "" : answer.failure.message).toMatch(/workspace connection/)
        expect(gateway.sent).toHaveLength(0)
    })

    it("an unreachable gateway is a failure with status 0, not a throw; the log never has the token", async () => {
        const logged = vi.spyOn(console, "error").mockImplementation(() => {})
        serve(() => "network-error")
        const answer = await enrollOne(choice, recordId)
        expect(answer).toEqual({
            ok: false,
            failure: {
                status: 0,
                code: "unreachable",
                message: "The gateway at https://gateway.test could not be reached.",
            },
        })
        expect(logged).toHaveBeenCalledOnce()
        expect(JSON.stringify(logged.mock.calls)).not.toContain(ADMIN_TOKEN)
    })

    it("a gateway that never answers is given up on after REQUEST_TIMEOUT_MS", async () => {
        vi.spyOn(console, "error").mockImplementation(() => {})
        vi.useFakeTimers()
        try {
            serve(() => "hang")
            const pending = enrollOne(choice, recordId)
            await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1)
            let settled = false
            void pending.then(() => (settled = true))
            await Promise.resolve()
            expect(settled).toBe(false)
            await vi.advanceTimersByTimeAsync(1)
            expect(await pending).toEqual({
                ok: false,
                failure: {
                    status: 0,
                    code: "timeout",
                    message: "The gateway at https://gateway.test did not answer within 40 s.",
                },
            })
        } finally {
            vi.useRealTimers()
        }
    })

    it("a wrong token: the gateway's 401 message, verbatim", async () => {
        serve(inTurn(response("enroll_one", "unauthorized")))
        const answer = await enrollOne(choice, recordId)
        expect(answer.ok ? "" : answer.failure.message).toBe("missing or wrong bearer token")
    })
})
