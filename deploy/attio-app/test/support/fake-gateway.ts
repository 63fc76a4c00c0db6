// A gateway behind fetch: records every request the app sends and answers with what the test
// scripted (usually contract.json's examples). Installed with vi.stubGlobal("fetch", …).

import {resetWorkspace, workspace} from "../fakes/workspace"

export const GATEWAY_URL = "https://gateway.test"
export const ADMIN_TOKEN = "admin-token-for-tests"

export interface SentRequest {
    url: string
    path: string // with the query string, as contract.json writes it
    method: string
    headers: Record<string, string>
    body: unknown // parsed JSON; undefined when none was sent
}

export interface Answer {
    status: number
    body: unknown // JSON-encoded unless a string
    headers?: Record<string, string>
}

// "network-error": the connection fails; "hang": no answer until the request is aborted.
type Outcome = Answer | "network-error" | "hang"
export type Handler = (request: SentRequest) => Outcome | Promise<Outcome>

export interface FakeGateway {
    sent: SentRequest[]
    fetch: typeof fetch
}

export function fakeGateway(handler: Handler): FakeGateway {
    const sent: SentRequest[] = []
    const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        const url = String(input)
        const headers: Record<string, string> = {}
        new Headers(init?.headers).forEach((value, key) => (headers[key] = value))
        const text = typeof init?.body === "string" ? init.body : undefined
        const request: SentRequest = {
            url,
            path: url.startsWith(GATEWAY_URL) ? url.slice(GATEWAY_URL.length) : url,
            method: init?.method ?? "GET",
            headers,
            body: text === undefined ? undefined : (JSON.parse(text) as unknown),
        }
        sent.push(request)
        const answer = await handler(request)
        if (answer === "network-error") throw new TypeError("fetch failed")
        if (answer === "hang") {
            return new Promise<Response>((_, reject) => {
                init?.signal?.addEventListener("abort", () =>
                    reject(new DOMException("aborted", "AbortError")),
                )
            })
        }
        const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body)
        return new Response(body, {
            status: answer.status,
            headers: {"Content-Type": "application/json", ...answer.headers},
        })
    }
    return {sent, fetch: fakeFetch as typeof fetch}
}

// Answers in turn, the last one repeated: for a route asked once or polled.
export function inTurn(...answers: Answer[]): Handler {
    let next = 0
    return () => {
        const answer = answers[Math.min(next, answers.length - 1)]
        next += 1
        if (!answer) throw new Error("inTurn needs at least one answer")
        return answer
    }
}

// A workspace where an admin set the gateway URL and added the connection.
export function configuredWorkspace(): void {
    resetWorkspace()
    workspace.settings.gateway_url = GATEWAY_URL
    workspace.connection = ADMIN_TOKEN
}
