// What the rep picked in the enrollment dialog.

import type {Enrollment} from "../gateway/requests"

export interface EnrollmentChoice extends Enrollment {
    campaignName: string // for the messages; the gateway gets the id only
}
