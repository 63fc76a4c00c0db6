import {type Outcome, readSubscriptionReport, type SubscriptionReport} from "../gateway/answers"
import {callGateway} from "../gateway/call-gateway"
import type {EventCategory} from "../gateway/contract"
import {subscriptionSyncRequest} from "../gateway/requests"

// POST /v1/subscriptions/sync: make Lemlist's webhooks match these categories.
export default async function syncSubscriptions(
    categories: EventCategory[],
): Promise<Outcome<SubscriptionReport>> {
    const sent = await callGateway(subscriptionSyncRequest(categories))
    return sent.ok ? readSubscriptionReport(sent.value) : sent
}
