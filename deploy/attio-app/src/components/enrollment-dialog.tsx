// The enrollment dialog: campaign picker (campaigns listed through the gateway), the five
// Lemlist options starting from the workspace defaults, and an icebreaker.

import {Banner, Button, Forms, LoadingState, Typography, useAsyncCache, useForm} from "attio/client"
import {Suspense} from "react"

import {campaignOptions, choiceFrom} from "../enrollment/campaign-picker"
import type {EnrollmentChoice} from "../enrollment/choice"
import type {Campaign} from "../gateway/answers"
import {ENROLLMENT_OPTIONS, type EnrollmentOptions} from "../gateway/contract"
import listCampaigns from "../server/list-campaigns.server"
import {OPTION_LABELS} from "./labels"

interface Props {
    defaults: EnrollmentOptions
    people?: string // "1 person", "the selected people": who is being enrolled
    onSubmit: (choice: EnrollmentChoice) => void
    hideDialog: () => void
}

// The keys are the option names, so the form's values are the enrollment's options as they are.
const formSchema = {
    campaignId: Forms.string(),
    findEmail: Forms.boolean(),
    verifyEmail: Forms.boolean(),
    findPhone: Forms.boolean(),
    linkedinEnrichment: Forms.boolean(),
    deduplicate: Forms.boolean(),
    icebreaker: Forms.string().optional().multiline().maxLength(10_000), // the gateway's limit
}

function EnrollmentForm({defaults, people, onSubmit, campaigns}: Props & {campaigns: Campaign[]}) {
    const options = campaignOptions(campaigns)
    const {Form, Combobox, Toggle, TextArea, SubmitButton} = useForm(formSchema, {
        ...defaults,
        icebreaker: "",
    })
    return (
        <Form onSubmit={(values) => onSubmit(choiceFrom(values, campaigns))}>
            {options.length === 0 ? (
                <Banner variant="warning">
                    No Lemlist campaign to enroll into: create one in Lemlist first.
                </Banner>
            ) : null}
            {people ? <Typography.Body>Enrolling {people}.</Typography.Body> : null}
            <Combobox
                label="Campaign"
                name="campaignId"
                placeholder="Pick a Lemlist campaign"
                options={options}
                disabled={options.length === 0}
            />
            {ENROLLMENT_OPTIONS.map((name) => (
                <Toggle key={name} name={name} label={OPTION_LABELS[name].label} />
            ))}
            <TextArea
                name="icebreaker"
                label="Icebreaker (optional)"
                placeholder="The first line Lemlist's {{icebreaker}} variable shows"
            />
            <SubmitButton label="Add to campaign" />
        </Form>
    )
}

function LoadedEnrollmentForm(props: Props) {
    const {
        values: {campaigns},
    } = useAsyncCache({campaigns: listCampaigns})
    if (!campaigns.ok) {
        return (
            <>
                <Banner variant="error">
                    Could not list the Lemlist campaigns: {campaigns.failure.message}
                </Banner>
                <Button label="Close" onClick={props.hideDialog} />
            </>
        )
    }
    return <EnrollmentForm {...props} campaigns={campaigns.value} />
}

export function EnrollmentDialog(props: Props) {
    return (
        <Suspense fallback={<LoadingState />}>
            <LoadedEnrollmentForm {...props} />
        </Suspense>
    )
}
