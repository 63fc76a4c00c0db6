// The two actions as Attio runs them: onTrigger opens the dialog (started from the workspace
// defaults); the rep's choice goes to the gateway; the result is a toast. The dialog is not
// rendered: the test plays the rep by calling the dialog element's onSubmit.

import {beforeEach, describe, expect, it, vi} from "vitest"

import addToCampaign from "../src/app/extensions/add-to-lemlist-campaign/extension"
import bulkAddToCampaign from "../src/app/extensions/bulk-add-to-lemlist-campaign/extension"
import type {EnrollmentChoice} from "../src/enrollment/choice"
import type {EnrollmentOptions} from "../src/gateway/contract"
import {fakeRunRecordBatches} from "./fakes/run-record-batches"
import {type ShownDialog, workspace} from "./fakes/workspace"
import {last, response} from "./support/contract"
import {configuredWorkspace, fakeGateway, type Handler} from "./support/fake-gateway"

interface DialogProps {
    defaults: EnrollmentOptions
    people?: string
    onSubmit: (choice: EnrollmentChoice) => void
}

const choice: EnrollmentChoice = {
    campaignId: "cam_A1b2C3d4E5f6G7h8",
    campaignName: "Q3 founders outreach",
    options: {
        findEmail: false,
        verifyEmail: true,
        findPhone: false,
        linkedinEnrichment: false,
        deduplicate: true,
    },
    icebreaker: "Hi!",
}

let offered: DialogProps | undefined
function repPicks(picked: EnrollmentChoice | undefined) {
    workspace.onDialog = (dialog: ShownDialog) => {
        const element = dialog.Dialog({hideDialog: () => {}})
        offered = element.props as DialogProps
        if (picked) offered.onSubmit(picked)
    }
}

function serve(handler: Handler) {
    const gateway = fakeGateway(handler)
    vi.stubGlobal("fetch", gateway.fetch)
    return gateway
}

type Trigger<T> = T extends {onTrigger: (arg: infer A) => unknown} ? A : never

beforeEach(() => {
    configuredWorkspace()
    offered = undefined
})

describe("Add to Lemlist campaign (record action)", () => {
    it("is offered on People", () => {
        expect(addToCampaign).toMatchObject({
            type: "record-action",
            objects: "people",
            label: "Add to Lemlist campaign",
        })
    })

    it("starts the dialog from the workspace defaults, enrolls the Person, toasts the result", async () => {
        workspace.settings.default_findEmail = true
        repPicks(choice)
        const gateway = serve(() => response("enroll_one", "enrolled"))
        await addToCampaign.onTrigger({
            recordId: "3f0b6a52-9c4e-4a51-8d1e-5b7c2e9a1f10",
            object: "people",
        } as Trigger<typeof addToCampaign>)

        expect(offered?.defaults).toEqual({
            findEmail: true,
            verifyEmail: false,
            findPhone: false,
            linkedinEnrichment: false,
            deduplicate: true,
        })
        expect(gateway.sent.map((s) => s.body)).toEqual([
            {
                campaign_id: choice.campaignId,
                record_ids: ["3f0b6a52-9c4e-4a51-8d1e-5b7c2e9a1f10"],
                options: choice.options,
                icebreaker: "Hi!",
            },
        ])
        expect(last(workspace.toasts)).toMatchObject({
            variant: "success",
            title: "Enrolled in Q3 founders outreach",
        })
    })

    it("closing the dialog sends nothing", async () => {
        repPicks(undefined)
        const gateway = serve(() => response("enroll_one", "enrolled"))
        await addToCampaign.onTrigger({recordId: "r", object: "people"} as Trigger<typeof addToCampaign>)
        expect(gateway.sent).toHaveLength(0)
        expect(workspace.toasts).toHaveLength(0)
    })
})

describe("Add to Lemlist campaign (bulk action)", () => {
    it("enrolls the selection in batches and ends with the summary toast", async () => {
        repPicks(choice)
        let jobs = 0
        const gateway = serve((request) => {
            if (request.method === "POST")
                return {status: 202, body: {job_id: `job_${++jobs}`, stored: "broker"}}
            const done = response("enrollment_job", "done")
            return done
        })
        const selection = fakeRunRecordBatches([
            "3f0b6a52-9c4e-4a51-8d1e-5b7c2e9a1f10",
            "8a61d0c4-27b3-4f8e-9d55-0c1e6f2b7a93",
        ])
        vi.useFakeTimers({toFake: ["setTimeout"]})
        try {
            const run = bulkAddToCampaign.onTrigger({
                runRecordBatches: selection.run,
                object: "people",
            } as Trigger<typeof bulkAddToCampaign>)
            await vi.runAllTimersAsync()
            await run
        } finally {
            vi.useRealTimers()
        }
        expect(offered?.people).toBe("the selected people")
        expect(gateway.sent.map((s) => `${s.method} ${s.path}`)).toEqual([
            "POST /v1/enrollments",
            "GET /v1/enrollments/job_1",
        ])
        expect(last(workspace.toasts)).toMatchObject({
            variant: "warning",
            title: "Enrolled 1 person in Q3 founders outreach",
            text: "1 enrolled · 1 duplicate\nduplicate (1): Lead already in the campaign",
        })
    })
})
