// What the rep is told after enrolling: counts per status and Lemlist's reasons, never
// swallowed. Pure; the extensions turn a Notice into a toast.

import {ENROLLMENT_STATUSES, type EnrollmentStatus} from "../gateway/contract"
import type {EnrollmentResult} from "../gateway/answers"
import type {BatchOutcome} from "./enroll-batch"

export interface Notice {
    variant: "success" | "warning" | "error" | "neutral"
    title: string
    text?: string
}

export interface Reason {
    status: EnrollmentStatus
    message: string
    count: number
}

export interface EnrollmentSummary {
    counts: Record<EnrollmentStatus | "pending", number>
    reasons: Reason[] // grouped by status and message, most frequent first
}

export function summarise(batches: BatchOutcome[]): EnrollmentSummary {
    const counts = {enrolled: 0, duplicate: 0, rejected: 0, failed: 0, pending: 0}
    const reasons = new Map<string, Reason>()
    for (const batch of batches) {
        counts.pending += batch.pending.length
        for (const result of batch.results) {
            counts[result.status] += 1
            if (result.status === "enrolled" || !result.message) continue
            const key = `${result.status}\u0000${result.message}`
            const reason = reasons.get(key) ?? {status: result.status, message: result.message, count: 0}
            reason.count += 1
            reasons.set(key, reason)
        }
    }
    const order = (r: Reason) => ENROLLMENT_STATUSES.indexOf(r.status)
    return {counts, reasons: [...reasons.values()].sort((a, b) => b.count - a.count || order(a) - order(b))}
}

function people(n: number): string {
    return n === 1 ? "1 person" : `${n} people`
}

// "3 enrolled · 1 duplicate · 2 still running": only the counts that are not zero.
export function countsLine(counts: EnrollmentSummary["counts"]): string {
    const parts: string[] = []
    for (const status of ENROLLMENT_STATUSES)
        if (counts[status] > 0) parts.push(`${counts[status]} ${status}`)
    if (counts.pending > 0) parts.push(`${counts.pending} still running`)
    return parts.join(" · ")
}

const MAX_REASONS = 5

export function reasonsLine(reasons: Reason[]): string {
    const shown = reasons.slice(0, MAX_REASONS).map((r) => `${r.status} (${r.count}): ${r.message}`)
    if (reasons.length > MAX_REASONS) shown.push(`and ${reasons.length - MAX_REASONS} more reasons`)
    return shown.join(" • ")
}

// The bulk action's closing toast. `runError` is why the run stopped early, if it did.
export function bulkNotice(summary: EnrollmentSummary, campaignName: string, runError?: string): Notice {
    const {counts} = summary
    const settled = counts.enrolled + counts.duplicate + counts.rejected + counts.failed
    const lines = [countsLine(counts), reasonsLine(summary.reasons)]
    if (counts.pending > 0)
        lines.push("The rest keep going: each Person's Lemlist enrollment status shows the outcome.")
    if (runError) lines.unshift(`Stopped: ${runError}`)
    const text = lines.filter((l) => l.length > 0).join("\n")

    // Error when the run stopped or nothing but refusals came back; warning when anyone was
    // not enrolled (a duplicate included: the rep should know).
    let variant: Notice["variant"] = "success"
    if (runError || (counts.enrolled === 0 && counts.rejected + counts.failed > 0)) variant = "error"
    else if (settled + counts.pending > counts.enrolled) variant = "warning"
    const title =
        counts.enrolled > 0
            ? `Enrolled ${people(counts.enrolled)} in ${campaignName}`
            : settled + counts.pending === 0
              ? `Nobody was enrolled in ${campaignName}`
              : `No new enrollments in ${campaignName}`
    return text ? {variant, title, text} : {variant, title}
}

// The single-record action's toast.
export function singleNotice(result: EnrollmentResult | undefined, campaignName: string): Notice {
    if (result === undefined) {
        return {
            variant: "neutral",
            title: `Enrollment in ${campaignName} is still running`,
            text: "The Person's Lemlist enrollment status will show the outcome.",
        }
    }
    const reason = result.message ? {text: result.message} : {}
    switch (result.status) {
        case "enrolled":
            return {variant: "success", title: `Enrolled in ${campaignName}`, ...reason}
        case "duplicate":
            return {
                variant: "warning",
                title: `Already in Lemlist: not enrolled in ${campaignName}`,
                ...reason,
            }
        case "rejected":
            return {variant: "error", title: `Lemlist rejected the enrollment in ${campaignName}`, ...reason}
        case "failed":
            return {variant: "error", title: `Enrollment in ${campaignName} failed`, ...reason}
    }
}
