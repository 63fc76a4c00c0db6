// The settings page's Save & Sync Lemlist: sends the enabled categories to the gateway and
// shows what Lemlist did, refusals verbatim.

import {confirm, showDialog, showToast} from "attio/client"

import {SyncReportDialog} from "../components/sync-report-dialog"
import syncSubscriptions from "../server/sync-subscriptions.server"
import {type CategoryKey, enabledCategories} from "../settings/values"
import {describeSync} from "./describe-sync"

export async function saveAndSync(values: Partial<Record<CategoryKey, boolean | null>>): Promise<void> {
    const categories = enabledCategories(values)
    if (categories.length === 0) {
        // Meant, but worth a second look: with nothing on, sync removes every hook of ours.
        const go = await confirm({
            title: "No event category is on",
            text: "Syncing removes every Lemlist webhook this product created, so no Lemlist event reaches Attio.",
            confirmLabel: "Remove them",
            confirmVariant: "destructive",
        })
        if (!go) return
    }
    const {hideToast} = await showToast({
        variant: "neutral",
        title: "Syncing Lemlist webhooks…",
        dismissable: false,
        durationMs: 60_000,
    })
    const outcome = await syncSubscriptions(categories)
    await hideToast()
    const description = describeSync(outcome)
    await showDialog({
        title: description.title,
        Dialog: ({hideDialog}) => <SyncReportDialog description={description} hideDialog={hideDialog} />,
    })
}
