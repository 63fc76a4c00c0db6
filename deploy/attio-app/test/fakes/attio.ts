// Stand-in for the "attio" package's runtime: the settings schema builders.

import type {Settings as RealSettings} from "attio"

type SettingsApi = Pick<typeof RealSettings, "Schema" | "defineWorkspaceSchema">

export const Settings: SettingsApi = {
    Schema: {
        string: () => ({type: "string"}) as ReturnType<SettingsApi["Schema"]["string"]>,
        number: () => ({type: "number"}) as ReturnType<SettingsApi["Schema"]["number"]>,
        boolean: () => ({type: "boolean"}) as ReturnType<SettingsApi["Schema"]["boolean"]>,
    },
    defineWorkspaceSchema: (fields) => ({scope: "workspace", fields}),
}
