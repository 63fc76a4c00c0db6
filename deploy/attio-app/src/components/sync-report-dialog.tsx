import {Banner, Button, Typography} from "attio/client"

import type {SyncDescription} from "../subscriptions/describe-sync"

// Each line of the sync's description; refusals first, in a banner, word for word.
export function SyncReportDialog({
    description,
    hideDialog,
}: {
    description: SyncDescription
    hideDialog: () => void
}) {
    const [first, ...rest] = description.lines
    return (
        <>
            {first !== undefined && description.variant !== "success" ? (
                <Banner variant={description.variant === "error" ? "error" : "warning"}>{first}</Banner>
            ) : null}
            {(description.variant === "success" ? description.lines : rest).map((line) => (
                <Typography.Body key={line}>{line}</Typography.Body>
            ))}
            <Button label="Close" onClick={hideDialog} />
        </>
    )
}
