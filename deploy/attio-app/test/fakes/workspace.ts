// The one Attio workspace the fakes share: its settings, its connection, and what the app
// showed the user. Tests set it up and read it back; reset() between tests.

import type {ConfirmOptions, ToastOptions, ToastUpdateOptions} from "attio/client"
import type React from "react"

export interface ShownDialog {
    title: string
    Dialog: (props: {hideDialog: () => void}) => React.JSX.Element
}

export interface Workspace {
    settings: Record<string, string | number | boolean | null>
    connection: string | undefined // the workspace connection's secret; undefined = none added
    toasts: Array<ToastOptions | (ToastUpdateOptions & {updates: number})>
    dialogs: ShownDialog[]
    confirms: ConfirmOptions[]
    confirmAnswer: boolean
    // What the user does with a dialog once it is shown (default: closes it).
    onDialog: (dialog: ShownDialog) => void | Promise<void>
}

function fresh(): Workspace {
    return {
        settings: {},
        connection: undefined,
        toasts: [],
        dialogs: [],
        confirms: [],
        confirmAnswer: true,
        onDialog: () => {},
    }
}

export const workspace: Workspace = fresh()

export function resetWorkspace(): void {
    Object.assign(workspace, fresh())
}

// Settings.getSettings for a schema: every field, null until set.
export function settingsOf(
    fields: Record<string, unknown>,
): Record<string, string | number | boolean | null> {
    const values: Record<string, string | number | boolean | null> = {}
    for (const key of Object.keys(fields)) values[key] = workspace.settings[key] ?? null
    return values
}
