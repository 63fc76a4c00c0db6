-- wrk script: POSTs realistic Lemlist webhook bodies (shaped like a linkedinInviteAccepted
-- event, ~1.2 KB), each with a distinct `_id`, to /webhooks/lemlist.
--   wrk -t2 -c64 -d10s --latency -s post_event.lua http://127.0.0.1:18080
-- Optional pacing (open-loop-ish): RATE=<total req/s> and CONNS=<connections> in the
-- environment make each connection wait CONNS/RATE seconds between its requests, so the
-- offered load is about RATE req/s; wrk's latency excludes that wait.

local next_tid = 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local counter = 0
local salt = 0
local pace_ms = 0

function init(args)
  salt = os.time()
  local rate = tonumber(os.getenv("RATE") or "")
  local conns = tonumber(os.getenv("CONNS") or "")
  if rate and conns and rate > 0 then
    pace_ms = 1000 * conns / rate
  end
end

function delay()
  return pace_ms
end

local template = [[{"_id":"%s","type":"linkedinInviteAccepted","createdAt":"2025-02-27T14:58:05.000Z",]] ..
  [["isFirst":true,"stopped":false,"bot":false,"teamId":"tea_hSBr4gYQ9J7ALq2P3","leadId":"lea_%s",]] ..
  [["campaignId":"cam_hSZJzm7qCv4Go6sfW","sequenceId":"seq_5ACjKD32KecarG2M3","sequenceStep":1,]] ..
  [["emailTemplateId":"etp_s7da488G9a2RXWpNF","createdBy":"usr_PFnimcvkATCDEgwjJ","sendUserId":"usr_iMkrf5Ax7xP3wo7bY",]] ..
  [["totalSequenceStep":2,"name":"Bauma 2025","sendUserName":"Alex Sender","leadFirstName":"Jonas","leadLastName":"F",]] ..
  [["leadEmail":"jonas.%s@example.com","contactId":"ctc_QfiCFBxSrQ3ED3QQS","relatedSentAt":"2025-01-27T10:03:44.870Z",]] ..
  [["metaData":{"teamId":"tea_hSBr4gYQ9J7ALq2P3","campaignId":"cam_hSZJzm7qCv4Go6sfW","leadId":"lea_%s",]] ..
  [["type":"linkedinInviteAccepted","createdBy":"usr_PFnimcvkATCDEgwjJ","taskId":"tsk_MvRYsxA9ywGYsxAoH"},]] ..
  [["campaignName":"Bauma 2025","firstName":"Jonas","lastName":"F",]] ..
  [["linkedinUrl":"https://www.linkedin.com/in/jonas-example-%s/","occupation":"Leiter Wartung und Instandhaltung",]] ..
  [["labels":"Outreach; Personal","emailTemplateName":"linkedinInvite","secret":"bench-secret"}]]

local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local id = string.format("act_bench%d%d%d", salt, tid, counter)
  local body = string.format(template, id, id, id, id, id)
  return wrk.format("POST", "/webhooks/lemlist", headers, body)
end
