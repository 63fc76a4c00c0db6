// Stand-in for "attio/client": the functions the app calls record what it showed in the fake
// workspace; components and hooks exist but are never rendered by these tests.

import type * as Real from "attio/client"

import {settingsOf, type ShownDialog, workspace} from "./workspace"

export const Extensions = {
    defineExtension: (extension: unknown) => extension,
} as unknown as typeof Real.Extensions

export const showToast: typeof Real.showToast = async (options) => {
    workspace.toasts.push({...options})
    return {
        hideToast: async () => {},
        updateToast: async (update) => void workspace.toasts.push({...update, updates: 1}),
        upsertToast: async (update) => void workspace.toasts.push({...update, updates: 1}),
    }
}

export const showDialog: typeof Real.showDialog = async (options) => {
    const dialog: ShownDialog = {title: options.title, Dialog: options.Dialog}
    workspace.dialogs.push(dialog)
    await workspace.onDialog(dialog)
}

export const confirm: typeof Real.confirm = async (options) => {
    workspace.confirms.push(options)
    return workspace.confirmAnswer
}

async function getSettings(schema: {fields: Record<string, unknown>}, key?: string): Promise<unknown> {
    const values = settingsOf(schema.fields)
    return key === undefined ? values : values[key]
}

function notRendered(name: string) {
    return () => {
        throw new Error(`${name} is a UI component or hook: these tests do not render`)
    }
}

export const Settings = {
    getSettings,
    defineWorkspacePage: (schema: unknown, render: () => unknown) => ({
        scope: "workspace",
        schema,
        Page: render,
    }),
    useForm: notRendered("Settings.useForm"),
} as unknown as typeof Real.Settings

// Form schema builders: chainable, inert.
function formValue(type: string): unknown {
    const value: Record<string, unknown> = {type}
    for (const method of ["optional", "multiline", "maxLength", "minLength", "default", "url"])
        value[method] = () => value
    return value
}
export const Forms = {
    string: () => formValue("string"),
    boolean: () => formValue("boolean"),
} as unknown as typeof Real.Forms

export const Banner = notRendered("Banner")
export const Button = notRendered("Button")
export const LoadingState = notRendered("LoadingState")
export const Typography = {Body: notRendered("Typography.Body")}
export const useAsyncCache = notRendered("useAsyncCache")
export const useForm = notRendered("useForm")
