// tests/fixtures/attio-app/contract.json, typed: the examples the gateway side tests too.

import contractJson from "../../../../tests/fixtures/attio-app/contract.json"

export interface ContractRequest {
    method: "GET" | "POST"
    path: string
    body?: unknown
}

export interface ContractResponse {
    case: string
    status: number
    headers?: Record<string, string>
    body: unknown
}

export interface ContractRoute {
    name: string
    exists: boolean
    notes: string
    request: ContractRequest
    responses: ContractResponse[]
    invalid_requests: Array<{
        case: string
        omit_auth?: boolean
        request: ContractRequest
        response: {status: number; body: {error: string; message: string; field?: string}}
    }>
}

export interface Contract {
    event_categories: string[]
    enrollment_options: string[]
    enrollment_statuses: string[]
    job_states: string[]
    routes: ContractRoute[]
}

export const contract = contractJson as unknown as Contract

export function route(name: string): ContractRoute {
    const found = contract.routes.find((r) => r.name === name)
    if (!found) throw new Error(`contract.json has no route ${name}`)
    return found
}

export function response(routeName: string, caseName: string): ContractResponse {
    const found = route(routeName).responses.find((r) => r.case === caseName)
    if (!found) throw new Error(`contract.json route ${routeName} has no response ${caseName}`)
    return found
}

// A deep copy, so a test that edits an example cannot leak into the next one.
export function copy<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T
}

// The last item (the app's tsconfig stops at ES2020, before Array.prototype.at).
export function last<T>(items: readonly T[]): T | undefined {
    return items[items.length - 1]
}
