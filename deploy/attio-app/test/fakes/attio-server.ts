// Stand-in for "attio/server": the workspace connection and settings, from the fake workspace.

import type * as Real from "attio/server"

import {settingsOf, workspace} from "./workspace"

export const getWorkspaceConnection: typeof Real.getWorkspaceConnection = () => {
    // Attio has no connection to give until an admin adds one.
    if (workspace.connection === undefined) throw new Error("No workspace connection found")
    return {
        id: "conn_fake",
        value: workspace.connection,
        connection_key: "gateway",
        createdBy: {type: "user", id: "usr_admin"},
        ownedBy: {type: "workspace", id: "wsp_fake"},
    }
}

async function getSettings(schema: {fields: Record<string, unknown>}, key?: string): Promise<unknown> {
    const values = settingsOf(schema.fields)
    return key === undefined ? values : values[key]
}

export const Settings = {getSettings} as unknown as typeof Real.Settings
