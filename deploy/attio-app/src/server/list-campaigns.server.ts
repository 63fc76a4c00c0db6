import {type Campaign, type Outcome, readCampaigns} from "../gateway/answers"
import {callGateway} from "../gateway/call-gateway"
import {campaignsRequest} from "../gateway/requests"

// GET /v1/campaigns: the worker lists Lemlist's campaigns; the gateway relays them.
export default async function listCampaigns(): Promise<Outcome<Campaign[]>> {
    const sent = await callGateway(campaignsRequest())
    return sent.ok ? readCampaigns(sent.value) : sent
}
