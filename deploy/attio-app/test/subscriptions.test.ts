// Settings → Save & Sync Lemlist → what the admin reads: the categories sent are the ones on,
// and Lemlist's refusals (a plan gate) are shown exactly as Lemlist worded them.

import {beforeEach, describe, expect, it, vi} from "vitest"

import {enabledCategories} from "../src/settings/values"
import {describeSync} from "../src/subscriptions/describe-sync"
import {saveAndSync} from "../src/subscriptions/save-and-sync"
import {workspace} from "./fakes/workspace"
import {copy, last, response, route} from "./support/contract"
import {configuredWorkspace, fakeGateway, type Handler, inTurn} from "./support/fake-gateway"
import type {SyncDescription} from "../src/subscriptions/describe-sync"

const PLAN_GATE = "route is available starting emailPro plan"

function serve(handler: Handler) {
    const gateway = fakeGateway(handler)
    vi.stubGlobal("fetch", gateway.fetch)
    return gateway
}

// The description the result dialog was given (its Dialog element's props).
function shownDescription(): SyncDescription {
    const dialog = last(workspace.dialogs)
    if (!dialog) throw new Error("no dialog was shown")
    const element = dialog.Dialog({hideDialog: () => {}})
    return (element.props as {description: SyncDescription}).description
}

beforeEach(() => configuredWorkspace())

describe("the categories sent", () => {
    it("are the ones an admin turned on: unset (null) and off are both off", () => {
        expect(enabledCategories({})).toEqual([])
        expect(
            enabledCategories({
                category_warmed: true,
                category_hooked: null,
                category_bounced: false,
                category_contacted: true,
            }),
        ).toEqual(["contacted", "warmed"])
    })

    it("Save & Sync sends contract.json's request for the settings shown", async () => {
        const gateway = serve(inTurn(response("subscriptions_sync", "applied")))
        await saveAndSync({
            category_contacted: true,
            category_hooked: true,
            category_warmed: true,
            category_bounced: true,
            category_paused: false,
        })
        expect(gateway.sent.map((s) => [s.method, s.path, s.body])).toEqual([
            [
                route("subscriptions_sync").request.method,
                route("subscriptions_sync").request.path,
                route("subscriptions_sync").request.body,
            ],
        ])
        expect(workspace.confirms).toHaveLength(0)
    })

    it("with nothing on, asks first; cancelled, nothing is sent", async () => {
        const gateway = serve(inTurn(response("subscriptions_sync", "in_sync")))
        workspace.confirmAnswer = false
        await saveAndSync({category_contacted: false})
        expect(workspace.confirms).toHaveLength(1)
        expect(gateway.sent).toHaveLength(0)

        workspace.confirmAnswer = true
        await saveAndSync({})
        expect(gateway.sent.map((s) => s.body)).toEqual([{categories: []}])
    })
})

describe("what the admin is shown", () => {
    it("a plan-gated refusal, verbatim, first, and what was skipped after it", async () => {
        serve(inTurn(response("subscriptions_sync", "plan_gated")))
        await saveAndSync({category_contacted: true})
        const shown = shownDescription()
        expect(shown.variant).toBe("warning")
        expect(shown.title).toBe("Lemlist refused 1 webhook change")
        expect(shown.lines[0]).toBe(
            `Lemlist refused to create the emailsBounced webhook: HTTP 402: ${PLAN_GATE}`,
        )
        expect(shown.lines).toContain(
            "Not tried (2): emailsOpened, emailsSent. skipped: Lemlist refused an earlier call with HTTP 402",
        )
        expect(shown.lines).toContain("Deleted 1 webhook: emailsUnsubscribed (type not enabled)")
    })

    it("a refused listing (nothing changed): the gateway's message, verbatim", async () => {
        serve(inTurn(response("subscriptions_sync", "listing_refused")))
        await saveAndSync({category_contacted: true})
        expect(shownDescription()).toMatchObject({
            variant: "error",
            title: "Could not sync Lemlist webhooks",
            lines: [`HTTP 402: ${PLAN_GATE}`],
        })
    })

    it("an applied sync: created, deleted, kept and where Lemlist sends the events", () => {
        const applied = response("subscriptions_sync", "applied")
        expect(describeSync({ok: true, value: applied.body as never})).toEqual({
            variant: "success",
            title: "Lemlist webhooks synced: 2 created, 1 deleted",
            lines: [
                "Created 2 webhooks: emailsOpened, linkedinOpened",
                "Deleted 1 webhook: emailsUnsubscribed (type not enabled)",
                "3 webhooks already in place",
                "Lemlist sends each event type to https://sync.example.com/webhooks/lemlist?type=…",
            ],
        })
    })

    it("mode all: the one all-events hook, and the worker's filter said", () => {
        const allMode = response("subscriptions_sync", "all_mode")
        expect(describeSync({ok: true, value: allMode.body as never}).lines).toEqual([
            "Created 1 webhook: all-events",
            "Deleted 1 webhook: emailsSent (type not enabled)",
            "Lemlist sends every event to https://sync.example.com/webhooks/lemlist; the worker keeps the categories turned on here",
        ])
    })

    it("a refusal without an HTTP answer is not dressed up as one", () => {
        const gated = response("subscriptions_sync", "plan_gated").body as {
            refused: Array<{status: number; message: string}>
        }
        const lost = copy(gated)
        lost.refused = [
            {
                ...(gated.refused[0] as object),
                status: 0,
                message: "unknown_fate (timeout): no answer",
            } as never,
        ]
        expect(describeSync({ok: true, value: lost as never}).lines[0]).toBe(
            "Lemlist refused to create the emailsBounced webhook: unknown_fate (timeout): no answer",
        )
    })

    it("nothing to change: already in sync", () => {
        const inSync = response("subscriptions_sync", "in_sync")
        expect(describeSync({ok: true, value: inSync.body as never}).title).toBe(
            "Lemlist webhooks were already in sync",
        )
    })
})
