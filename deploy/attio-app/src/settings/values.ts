// How the workspace settings name what the gateway's API names (app/settings/schema.ts).

import {
    ENROLLMENT_OPTIONS,
    type EnrollmentOption,
    type EnrollmentOptions,
    EVENT_CATEGORIES,
    type EventCategory,
    PRODUCT_ENROLLMENT_DEFAULTS,
} from "../gateway/contract"

export type CategoryKey = `category_${EventCategory}`
export type DefaultKey = `default_${EnrollmentOption}`

export function categoryKey(category: EventCategory): CategoryKey {
    return `category_${category}`
}

export function defaultKey(option: EnrollmentOption): DefaultKey {
    return `default_${option}`
}

// Settings values are null until set; a category is on only when an admin turned it on.
export function enabledCategories(values: Partial<Record<CategoryKey, boolean | null>>): EventCategory[] {
    return EVENT_CATEGORIES.filter((c) => values[categoryKey(c)] === true)
}

export function enrollmentDefaults(values: Partial<Record<DefaultKey, boolean | null>>): EnrollmentOptions {
    const options = {...PRODUCT_ENROLLMENT_DEFAULTS}
    for (const name of ENROLLMENT_OPTIONS) {
        const set = values[defaultKey(name)]
        if (typeof set === "boolean") options[name] = set
    }
    return options
}
