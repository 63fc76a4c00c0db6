// Opens the enrollment dialog and resolves with the rep's choice, or undefined when the
// dialog was closed without one.

import {Settings, showDialog} from "attio/client"

import settingsSchema from "../app/settings/schema"
import type {EnrollmentChoice} from "../enrollment/choice"
import {enrollmentDefaults} from "../settings/values"
import {EnrollmentDialog} from "./enrollment-dialog"

export async function askEnrollment(people?: string): Promise<EnrollmentChoice | undefined> {
    const defaults = enrollmentDefaults(await Settings.getSettings(settingsSchema))
    let choice: EnrollmentChoice | undefined
    await showDialog({
        title: "Add to Lemlist campaign",
        Dialog: ({hideDialog}) => (
            <EnrollmentDialog
                defaults={defaults}
                people={people}
                hideDialog={hideDialog}
                onSubmit={(picked) => {
                    choice = picked
                    hideDialog()
                }}
            />
        ),
    })
    return choice
}
