import {Settings} from "attio/client"

import {CATEGORY_LABELS, OPTION_LABELS} from "../../components/labels"
import {ENROLLMENT_OPTIONS, EVENT_CATEGORIES} from "../../gateway/contract"
import {categoryKey, defaultKey} from "../../settings/values"
import {saveAndSync} from "../../subscriptions/save-and-sync"
import schema from "./schema"

// Values save as they are edited (on blur for text, on change for toggles); Save & Sync
// Lemlist sends the categories shown to the gateway.
export default Settings.defineWorkspacePage(schema, () => {
    const {Form, Section, TextInput, Toggle, Button, WithState} = Settings.useForm(schema)
    return (
        <Form>
            <Section
                title="Gateway"
                description="The lemlist-attio-sync gateway this workspace talks to. Its admin token is the app's workspace connection."
            >
                <TextInput
                    name="gateway_url"
                    label="Gateway URL"
                    type="url"
                    placeholder="https://sync.example.com"
                    url
                />
            </Section>
            <Section
                title="Lemlist events"
                description="Which Lemlist events land in Attio (the lemlist_events list and the Person's Lemlist state). All off until you turn them on; Save & Sync Lemlist applies them."
            >
                {EVENT_CATEGORIES.map((category) => (
                    <Toggle
                        key={category}
                        name={categoryKey(category)}
                        label={CATEGORY_LABELS[category].label}
                        description={CATEGORY_LABELS[category].description}
                    />
                ))}
                <WithState values>
                    {({values}) => (
                        <Button
                            label="Save & Sync Lemlist"
                            title="Lemlist webhooks"
                            description="Creates the Lemlist webhooks the categories above need and deletes the ones they no longer need."
                            variant="primary"
                            onClick={() => void saveAndSync(values)}
                        />
                    )}
                </WithState>
            </Section>
            <Section
                title="Enrollment defaults"
                description="What Add to Lemlist campaign starts with; the rep can change them for each enrollment."
            >
                {ENROLLMENT_OPTIONS.map((option) => (
                    <Toggle
                        key={option}
                        name={defaultKey(option)}
                        label={OPTION_LABELS[option].label}
                        description={OPTION_LABELS[option].description}
                    />
                ))}
            </Section>
        </Form>
    )
})
