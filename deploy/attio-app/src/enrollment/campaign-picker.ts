// The campaign picker's options, and the dialog's values turned into a choice.

import {ENROLLMENT_OPTIONS, type EnrollmentOptions} from "../gateway/contract"
import type {Campaign} from "../gateway/answers"
import type {EnrollmentChoice} from "./choice"

// Lemlist's statuses, most useful first. Archived campaigns are left out: nobody enrolls there.
const STATUS_ORDER = ["running", "paused", "draft", "ended", "errors"]

export interface CampaignOption {
    value: string
    label: string
    description: string
}

export function campaignOptions(campaigns: Campaign[]): CampaignOption[] {
    const rank = (c: Campaign) => {
        const i = STATUS_ORDER.indexOf(c.status)
        return i === -1 ? STATUS_ORDER.length : i
    }
    return campaigns
        .filter((c) => c.status !== "archived")
        .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
        .map((c) => ({value: c.id, label: c.name, description: c.status}))
}

export interface DialogValues extends EnrollmentOptions {
    campaignId: string
    icebreaker?: string
}

export function choiceFrom(values: DialogValues, campaigns: Campaign[]): EnrollmentChoice {
    const options = {} as EnrollmentOptions
    for (const name of ENROLLMENT_OPTIONS) options[name] = values[name] === true
    const campaignName = campaigns.find((c) => c.id === values.campaignId)?.name ?? values.campaignId
    const icebreaker = values.icebreaker?.trim()
    return icebreaker
        ? {campaignId: values.campaignId, campaignName, options, icebreaker}
        : {campaignId: values.campaignId, campaignName, options}
}
