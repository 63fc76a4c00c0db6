import {Extensions, showToast} from "attio/client"

import {askEnrollment} from "../../../components/ask-enrollment"
import {BATCH_POLL, enrollSelection} from "../../../enrollment/enroll-selection"
import {realClock} from "../../../enrollment/poll-job"
import getEnrollmentJob from "../../../server/get-enrollment-job.server"
import submitEnrollmentBatch from "../../../server/submit-enrollment-batch.server"

// On selected People: enroll them in batches with a progress toast, then a summary toast
// (enrolled / duplicate / rejected / failed, with Lemlist's reasons).
export default Extensions.defineExtension({
    type: "bulk-record-action",
    id: "bulk-add-to-lemlist-campaign",
    label: "Add to Lemlist campaign",
    icon: "SendAdd",
    objects: "people",
    onTrigger: async ({runRecordBatches}) => {
        const choice = await askEnrollment("the selected people")
        if (!choice) return
        const notice = await enrollSelection(
            runRecordBatches,
            {
                submit: submitEnrollmentBatch,
                fetchStatus: getEnrollmentJob,
                clock: realClock,
                limits: BATCH_POLL,
            },
            choice,
        )
        await showToast({...notice, durationMs: 15_000})
    },
})
