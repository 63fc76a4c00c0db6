import {Extensions, showToast} from "attio/client"

import {askEnrollment} from "../../../components/ask-enrollment"
import {enrollPerson, PERSON_POLL} from "../../../enrollment/enroll-person"
import {realClock} from "../../../enrollment/poll-job"
import enrollOne from "../../../server/enroll-one.server"
import getEnrollmentJob from "../../../server/get-enrollment-job.server"

// On a Person's page and in CMD+K: enroll this Person and say how it went.
export default Extensions.defineExtension({
    type: "record-action",
    id: "add-to-lemlist-campaign",
    label: "Add to Lemlist campaign",
    icon: "SendAdd",
    objects: "people",
    onTrigger: async ({recordId}) => {
        const choice = await askEnrollment()
        if (!choice) return
        const {updateToast} = await showToast({
            variant: "neutral",
            title: `Enrolling in ${choice.campaignName}…`,
            dismissable: false,
            durationMs: 120_000,
        })
        const notice = await enrollPerson(
            {send: enrollOne, fetchStatus: getEnrollmentJob, clock: realClock, limits: PERSON_POLL},
            choice,
            recordId,
        )
        await updateToast({...notice, dismissable: true, durationMs: 10_000})
    },
})
