// The bulk record action: the selection in batches (runRecordBatches), a progress toast with
// the running counts, and a closing summary.

import type {
    BulkRecordActionBatchProgressContext,
    BulkRecordActionBatchRunOutcome,
    RecordBatch,
    RunRecordBatchesOptions,
} from "attio/client"

import type {EnrollmentChoice} from "./choice"
import {type BatchDeps, type BatchOutcome, enrollBatch} from "./enroll-batch"
import type {PollLimits} from "./poll-job"
import {bulkNotice, countsLine, type Notice, summarise} from "./summary"

// The signature runRecordBatches has in a bulk action's onTrigger.
export type RunRecordBatches = <TResult>(
    options: RunRecordBatchesOptions,
    worker: (batch: RecordBatch) => Promise<TResult>,
) => Promise<BulkRecordActionBatchRunOutcome<Exclude<TResult, void>>>

// Smaller than the gateway's 250 so the progress toast moves: Lemlist takes about 20 leads
// per 2 s, so a batch of 50 settles in well under a minute.
export const BATCH_SIZE = 50
export const BATCH_POLL: PollLimits = {intervalMs: 2_000, deadlineMs: 180_000}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error)
}

export async function enrollSelection(
    run: RunRecordBatches,
    deps: BatchDeps,
    choice: EnrollmentChoice,
): Promise<Notice> {
    const {campaignName, ...enrollment} = choice
    const title = `Enrolling in ${campaignName}`
    const done: BatchOutcome[] = []
    const progress = ({processedRecords, totalRecords}: BulkRecordActionBatchProgressContext) => {
        const counts = countsLine(summarise(done).counts)
        return {title, text: `${processedRecords} of ${totalRecords} processed${counts ? `: ${counts}` : ""}`}
    }
    const outcome = await run(
        {
            batchSize: BATCH_SIZE,
            onStart: progress,
            onProgress: progress,
            onError: (_context, error) => ({
                title: `Enrollment in ${campaignName} stopped`,
                text: messageOf(error),
            }),
        },
        async (batch) => {
            const result = await enrollBatch(deps, enrollment, batch.recordIds)
            done.push(result)
            return result
        },
    )
    const batches = outcome.success ? outcome.results : outcome.partialResults
    return bulkNotice(
        summarise(batches),
        campaignName,
        outcome.success ? undefined : messageOf(outcome.error),
    )
}
