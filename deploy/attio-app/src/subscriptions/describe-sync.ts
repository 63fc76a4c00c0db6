// What Save & Sync Lemlist tells the admin: what was created, deleted and kept, and every
// refusal in Lemlist's own words (a plan gate above all: "route is available starting
// emailPro plan" is shown exactly as Lemlist sent it).

import type {Notice} from "../enrollment/summary"
import type {Outcome, SubscriptionReport} from "../gateway/answers"

export interface SyncDescription extends Notice {
    lines: string[] // one fact a line, for the result dialog
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`
}

// The one hook of mode "all" has no type: it takes every event.
function typeName(type: string): string {
    return type === "" ? "all-events" : type
}

function typeList(hooks: Array<{type: string; reason?: string}>): string {
    return hooks.map((h) => (h.reason ? `${typeName(h.type)} (${h.reason})` : typeName(h.type))).join(", ")
}

export function describeSync(outcome: Outcome<SubscriptionReport>): SyncDescription {
    if (!outcome.ok) {
        const {message} = outcome.failure
        return {variant: "error", title: "Could not sync Lemlist webhooks", text: message, lines: [message]}
    }
    const r = outcome.value
    const lines: string[] = []
    for (const refusal of r.refused) {
        const said = refusal.status === 0 ? refusal.message : `HTTP ${refusal.status}: ${refusal.message}`
        lines.push(`Lemlist refused to ${refusal.action} the ${typeName(refusal.type)} webhook: ${said}`)
    }
    // Grouped by reason: after a plan gate every remaining write is skipped the same way.
    const skippedByReason = new Map<string, string[]>()
    for (const s of r.skipped)
        skippedByReason.set(s.reason, [...(skippedByReason.get(s.reason) ?? []), typeName(s.type)])
    for (const [reason, types] of skippedByReason)
        lines.push(`Not tried (${types.length}): ${types.join(", ")}. ${reason}`)
    if (r.created.length > 0)
        lines.push(`Created ${plural(r.created.length, "webhook")}: ${typeList(r.created)}`)
    if (r.deleted.length > 0)
        lines.push(`Deleted ${plural(r.deleted.length, "webhook")}: ${typeList(r.deleted)}`)
    if (r.kept.length > 0) lines.push(`${plural(r.kept.length, "webhook")} already in place`)
    lines.push(
        r.mode === "all"
            ? `Lemlist sends every event to ${r.target_url}; the worker keeps the categories turned on here`
            : `Lemlist sends each event type to ${r.target_url}?type=…`,
    )

    if (r.refused.length + r.skipped.length > 0) {
        return {
            variant: "warning",
            title: `Lemlist refused ${plural(r.refused.length, "webhook change")}`,
            text: lines[0],
            lines,
        }
    }
    const title =
        r.created.length + r.deleted.length === 0
            ? "Lemlist webhooks were already in sync"
            : `Lemlist webhooks synced: ${r.created.length} created, ${r.deleted.length} deleted`
    return {variant: "success", title, lines}
}
