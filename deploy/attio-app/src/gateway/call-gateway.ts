// Sends one request to the gateway from a server function: the URL from the workspace
// settings, the admin token from the workspace connection. Server-side only (attio/server).
// Any failure to get an answer becomes a GatewayFailure with status 0, never a throw, so the
// UI can say what is wrong.

import {getWorkspaceConnection, Settings} from "attio/server"

import settingsSchema from "../app/settings/schema"
import {failed, type Outcome, type RawAnswer, succeeded} from "./answers"
import type {GatewayRequest} from "./requests"

// Longer than the gateway's own waits (30 s for ?wait=true, the worker's answer otherwise),
// so its 202 or 504 arrives rather than our timeout.
export const REQUEST_TIMEOUT_MS = 40_000

// "https://sync.example.com/" → "https://sync.example.com"; undefined when unusable.
export function gatewayBase(url: string | null | undefined): string | undefined {
    const trimmed = url?.trim().replace(/\/+$/, "")
    if (!trimmed || !/^https:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(trimmed)) return undefined
    return trimmed
}

function adminToken(): string | undefined {
    try {
        return getWorkspaceConnection().value || undefined
    } catch {
        return undefined // no connection added yet
    }
}

async function bodyOf(response: Response): Promise<unknown> {
    const text = await response.text()
    try {
        return JSON.parse(text) as unknown
    } catch {
        return text
    }
}

export async function callGateway(request: GatewayRequest): Promise<Outcome<RawAnswer>> {
    const base = gatewayBase(await Settings.getSettings(settingsSchema, "gateway_url"))
    if (base === undefined) {
        return failed({
            status: 0,
            code: "not_configured",
            message: "The gateway URL is not set (or not https://): an admin sets it in the app's settings.",
        })
    }
    const token = adminToken()
    if (token === undefined) {
        return failed({
            status: 0,
            code: "not_connected",
            message:
                "The app has no gateway token: an admin adds the workspace connection (the gateway's ADMIN_API_TOKEN).",
        })
    }
    const headers: Record<string, string> = {Authorization: `Bearer ${token}`, Accept: "application/json"}
    if (request.body !== undefined) headers["Content-Type"] = "application/json"
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS)
    try {
        const response = await fetch(`${base}${request.path}`, {
            method: request.method,
            headers,
            body: request.body === undefined ? undefined : JSON.stringify(request.body),
            signal: controller.signal,
        })
        return succeeded({status: response.status, body: await bodyOf(response)})
    } catch (error) {
        const timedOut = controller.signal.aborted
        // Never the token; the URL is the admin's own setting.
        console.error(
            `[gateway] ${request.method} ${request.path}: ${timedOut ? "timed out" : String(error)}`,
        )
        return failed({
            status: 0,
            code: timedOut ? "timeout" : "unreachable",
            message: timedOut
                ? `The gateway at ${base} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`
                : `The gateway at ${base} could not be reached.`,
        })
    } finally {
        clearTimeout(timer)
    }
}
