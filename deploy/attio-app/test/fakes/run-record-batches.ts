// runRecordBatches as the SDK describes it (bulk-record-action.d.ts): the selection cut into
// batches of batchSize, one worker call at a time, onStart / onProgress after each batch /
// onComplete, and on the first throw onError and {success:false, partialResults, error}.
// It also keeps the progress toasts the hooks returned, for the tests to read.

import type {BulkRecordActionBatchProgressContext, ProgressToastOptions} from "attio/client"

import type {RunRecordBatches} from "../../src/enrollment/enroll-selection"

export interface BatchRun {
    run: RunRecordBatches
    progress: Array<ProgressToastOptions | void>
    batchSizes: number[]
}

export function fakeRunRecordBatches(recordIds: string[]): BatchRun {
    const progress: Array<ProgressToastOptions | void> = []
    const batchSizes: number[] = []
    const run: RunRecordBatches = async (options, worker) => {
        if (options.batchSize < 1 || options.batchSize > 250)
            throw new Error(`batchSize ${options.batchSize} out of 1..250`)
        const batches: string[][] = []
        for (let i = 0; i < recordIds.length; i += options.batchSize)
            batches.push(recordIds.slice(i, i + options.batchSize))
        const context = (
            batchIndex: number,
            processedRecords: number,
        ): BulkRecordActionBatchProgressContext => ({
            processedRecords,
            totalRecords: recordIds.length,
            batchSize: options.batchSize,
            batchIndex,
            totalBatches: batches.length,
            lastBatchSize: batches[batches.length - 1]?.length ?? 0,
        })
        type Result = Awaited<ReturnType<typeof worker>>
        const results: Array<Exclude<Result, void>> = []
        progress.push(await options.onStart?.(context(0, 0)))
        let processed = 0
        for (const [index, recordIdsOfBatch] of batches.entries()) {
            try {
                batchSizes.push(recordIdsOfBatch.length)
                const result = await worker({recordIds: recordIdsOfBatch})
                if (result !== undefined) results.push(result as Exclude<Result, void>)
            } catch (error) {
                progress.push(await options.onError?.(context(index, processed), error))
                return {success: false, partialResults: results, error}
            }
            processed += recordIdsOfBatch.length
            progress.push(await options.onProgress?.(context(index, processed)))
        }
        progress.push(await options.onComplete?.(context(batches.length - 1, processed)))
        return {success: true, results}
    }
    return {run, progress, batchSizes}
}
