import {describe, expect, it} from "vitest"

import settingsSchema from "../src/app/settings/schema"
import {ENROLLMENT_OPTIONS, EVENT_CATEGORIES, PRODUCT_ENROLLMENT_DEFAULTS} from "../src/gateway/contract"
import {categoryKey, defaultKey, enrollmentDefaults} from "../src/settings/values"

describe("the workspace settings schema", () => {
    it("has the gateway URL, a boolean per event category and per enrollment option, and nothing else", () => {
        const fields = settingsSchema.fields as Record<string, {type: string}>
        const expected: Record<string, string> = {gateway_url: "string"}
        for (const c of EVENT_CATEGORIES) expected[categoryKey(c)] = "boolean"
        for (const o of ENROLLMENT_OPTIONS) expected[defaultKey(o)] = "boolean"
        expect(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.type]))).toEqual(expected)
    })
})

describe("enrollment defaults", () => {
    it("unset: the product's (deduplicate on, enrichment off)", () => {
        expect(enrollmentDefaults({})).toEqual(PRODUCT_ENROLLMENT_DEFAULTS)
        expect(PRODUCT_ENROLLMENT_DEFAULTS).toEqual({
            findEmail: false,
            verifyEmail: false,
            findPhone: false,
            linkedinEnrichment: false,
            deduplicate: true,
        })
    })

    it("set: the admin's, an explicit false included", () => {
        expect(
            enrollmentDefaults({
                default_findEmail: true,
                default_deduplicate: false,
                default_findPhone: null,
            }),
        ).toEqual({
            findEmail: true,
            verifyEmail: false,
            findPhone: false,
            linkedinEnrichment: false,
            deduplicate: false,
        })
    })
})
